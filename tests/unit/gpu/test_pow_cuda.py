"""The CUDA PoW kernel, checked without a GPU: its source built as C++ and run on the CPU
(and compiled to PTX where nvcc exists); the CuPy path runs only where CuPy sees a GPU."""

from __future__ import annotations

import hashlib
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from orban_desktop.gpu.pow import pow_hash, solve_pow
from orban_desktop.gpu.pow_cuda import (
    KERNEL_SOURCE,
    MAX_CUDA_NONCE_BYTES,
    CudaPowSolver,
    cuda_solver_available,
    message_block,
    solve_pow_preferring_cuda,
)

NONCE = bytes.fromhex("036d33da139a78aba1587210667ea8c7")

HARNESS = r"""
#include <climits>
#include <cstdio>
#include <cstdlib>
struct Dim { unsigned int x; };
static Dim blockIdx, threadIdx, blockDim;
#define __global__
#define __constant__
static void atomicMin(unsigned long long* p, unsigned long long v) { if (v < *p) *p = v; }
#include "kernel.cu"
int main(int argc, char** argv) {
  unsigned int block[16];
  unsigned int offset = strtoul(argv[1], 0, 10);
  unsigned long long base = strtoull(argv[2], 0, 10), count = strtoull(argv[3], 0, 10);
  unsigned int difficulty = strtoul(argv[4], 0, 10);
  for (int t = 0; t < 16; ++t) block[t] = strtoul(argv[5 + t], 0, 16);
  unsigned long long best = ULLONG_MAX;
  blockDim.x = 32;
  for (blockIdx.x = 0; blockIdx.x * 32ull < count; ++blockIdx.x)
    for (threadIdx.x = 0; threadIdx.x < 32; ++threadIdx.x)
      orban_pow_search(block, offset, base, count, difficulty, &best);
  printf("%llu\n", best);
  return 0;
}
"""


@pytest.fixture(scope="module")
def kernel_on_cpu(tmp_path_factory: pytest.TempPathFactory) -> Path:
    compiler = shutil.which("g++") or shutil.which("c++")
    if compiler is None:
        pytest.skip("no C++ compiler to build the kernel for the CPU")
    folder = tmp_path_factory.mktemp("kernel")
    (folder / "kernel.cu").write_text(KERNEL_SOURCE)
    (folder / "harness.cpp").write_text(HARNESS)
    binary = folder / "harness"
    command = [compiler, "-O2", "-x", "c++", "harness.cpp", "-o", str(binary)]
    subprocess.run(command, cwd=folder, check=True)
    return binary


def run_kernel(binary: Path, nonce: bytes, base: int, count: int, difficulty: int) -> int | None:
    words, offset = message_block(nonce)
    args = [str(offset), str(base), str(count), str(difficulty), *(f"{w:08x}" for w in words)]
    out = subprocess.run([str(binary), *args], capture_output=True, text=True, check=True)
    found = int(out.stdout)
    return None if found == (1 << 64) - 1 else found


def test_message_block_is_sha256_padding_of_nonce_and_eight_bytes():
    words, offset = message_block(NONCE)
    assert offset == 16
    block = struct.pack(">16I", *words)
    assert block[:16] == NONCE and block[16:24] == bytes(8) and block[24] == 0x80
    assert struct.unpack(">Q", block[56:])[0] == 24 * 8
    with pytest.raises(ValueError):
        message_block(bytes(MAX_CUDA_NONCE_BYTES + 1))


def test_kernel_finds_the_golden_vector(kernel_on_cpu: Path):
    assert run_kernel(kernel_on_cpu, NONCE, 0, 1024, 16) == 753
    assert run_kernel(kernel_on_cpu, NONCE, 0, 753, 16) is None  # count bounds the search
    assert run_kernel(kernel_on_cpu, NONCE, 754, 100, 0) == 754  # difficulty 0: first n


@pytest.mark.parametrize("length", [0, 1, 5, 16, 31, 32, 46, MAX_CUDA_NONCE_BYTES])
def test_kernel_agrees_with_hashlib_for_every_nonce_alignment(kernel_on_cpu: Path, length: int):
    nonce = hashlib.sha256(str(length).encode()).digest()[:length].ljust(length, b"\xa5")
    expected = solve_pow(nonce, 10, workers=1, start=1 << 40).solution_nonce
    found = run_kernel(kernel_on_cpu, nonce, 1 << 40, expected - (1 << 40) + 1, 10)
    assert found == expected  # n > 2**32 checks the high nonce bytes too
    assert pow_hash(nonce, expected)[:1] == b"\x00"


def test_kernel_difficulty_32_checks_the_whole_first_word(kernel_on_cpu: Path):
    assert run_kernel(kernel_on_cpu, NONCE, 0, 4096, 32) is None


def test_kernel_compiles_to_ptx_where_nvcc_exists(tmp_path: Path):
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        pytest.skip("nvcc is not installed")
    (tmp_path / "kernel.cu").write_text(KERNEL_SOURCE)
    subprocess.run([nvcc, "--ptx", "kernel.cu", "-o", "kernel.ptx"], cwd=tmp_path, check=True)
    assert "orban_pow_search" in (tmp_path / "kernel.ptx").read_text()


def test_without_cupy_and_a_gpu_the_cpu_solver_answers():
    if cuda_solver_available():
        pytest.skip("CuPy sees a GPU here")
    assert solve_pow_preferring_cuda(NONCE, 16).solution_nonce == 753


@pytest.mark.gpu
def test_cuda_solver_on_a_real_gpu_matches_the_vector_and_the_cpu():
    if not cuda_solver_available():
        pytest.skip("CuPy is not installed or sees no CUDA GPU")
    solver = CudaPowSolver(batch=1 << 20)
    assert solver.solve(NONCE, 16).solution_nonce == 753
    assert solver.solve(NONCE, 22).solution_nonce == solve_pow(NONCE, 22).solution_nonce
