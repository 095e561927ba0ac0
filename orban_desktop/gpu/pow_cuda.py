"""Optional CUDA proof-of-work solver: a SHA-256 search kernel run through CuPy's RawKernel.

CuPy is an optional extra, imported lazily: without it (or without a CUDA GPU)
``cuda_solver_available()`` is False and callers use the CPU solver in ``pow.py``. Each thread
hashes one candidate: the host builds the single padded SHA-256 block ``nonce || n_le64 ||
padding`` with the 8 nonce bytes zeroed, the kernel ORs n in, runs the 64 rounds and keeps the
smallest solving n with ``atomicMin``. Batches run in increasing order, so the answer is the
smallest n, as on the CPU. Challenges longer than 47 bytes do not fit one block and are left
to the CPU solver. The kernel source also compiles as C++, which the tests use to check it on
a machine without a GPU. Imports no Qt.
"""

from __future__ import annotations

import importlib
import logging
import struct
import time
from typing import Any

from orban_desktop.errors import GPUError
from orban_desktop.gpu.errors import PowCancelled
from orban_desktop.gpu.pow import CancelFlag, PowSolution, check_difficulty, pow_hash, solve_pow
from orban_desktop.gpu.pow_worker import U64_LIMIT

log = logging.getLogger(__name__)

MAX_CUDA_NONCE_BYTES = 64 - 8 - 1 - 8  # one block: nonce, n, the 0x80 byte, the bit length
NO_SOLUTION = U64_LIMIT - 1
KERNEL_NAME = "orban_pow_search"
KERNEL_SOURCE = r"""
#define ORBAN_ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
__constant__ unsigned int ORBAN_K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

extern "C" __global__ void orban_pow_search(
    const unsigned int* __restrict__ block, unsigned int nonce_offset,
    unsigned long long base, unsigned long long count, unsigned int difficulty,
    unsigned long long* best)
{
  unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= count) return;
  unsigned long long n = base + i;
  unsigned int w[64];
#pragma unroll
  for (int t = 0; t < 16; ++t) {
    unsigned int word = block[t];
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      int k = 4 * t + j - (int)nonce_offset;  /* byte k of n, little-endian */
      if (k >= 0 && k < 8) word |= (unsigned int)((n >> (8 * k)) & 0xffu) << (8 * (3 - j));
    }
    w[t] = word;
  }
#pragma unroll
  for (int t = 16; t < 64; ++t) {
    unsigned int s0 = ORBAN_ROTR(w[t - 15], 7) ^ ORBAN_ROTR(w[t - 15], 18) ^ (w[t - 15] >> 3);
    unsigned int s1 = ORBAN_ROTR(w[t - 2], 17) ^ ORBAN_ROTR(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  unsigned int a = 0x6a09e667, b = 0xbb67ae85, c = 0x3c6ef372, d = 0xa54ff53a;
  unsigned int e = 0x510e527f, f = 0x9b05688c, g = 0x1f83d9ab, h = 0x5be0cd19;
#pragma unroll
  for (int t = 0; t < 64; ++t) {
    unsigned int t1 = h + (ORBAN_ROTR(e, 6) ^ ORBAN_ROTR(e, 11) ^ ORBAN_ROTR(e, 25))
                    + ((e & f) ^ (~e & g)) + ORBAN_K[t] + w[t];
    unsigned int t2 = (ORBAN_ROTR(a, 2) ^ ORBAN_ROTR(a, 13) ^ ORBAN_ROTR(a, 22))
                    + ((a & b) ^ (a & c) ^ (b & c));
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  unsigned int h0 = 0x6a09e667u + a;  /* difficulty <= 32: only the first word counts */
  if (difficulty == 0 || (h0 >> (32 - difficulty)) == 0) atomicMin(best, n);
}
"""


def message_block(nonce: bytes) -> tuple[list[int], int]:
    """The padded SHA-256 block of ``nonce || 8 zero bytes`` as 16 big-endian words, and the
    byte offset where n goes. Raises: ValueError if the nonce does not fit one block."""
    if len(nonce) > MAX_CUDA_NONCE_BYTES:
        raise ValueError(f"a CUDA PoW challenge has at most {MAX_CUDA_NONCE_BYTES} bytes")
    message = nonce + bytes(8)
    padded = message + b"\x80" + bytes(55 - len(message)) + struct.pack(">Q", len(message) * 8)
    return list(struct.unpack(">16I", padded)), len(nonce)


def cuda_solver_available() -> bool:
    """True when CuPy is installed and sees a CUDA GPU."""
    try:
        cupy = importlib.import_module("cupy")
    except ImportError:
        return False
    try:
        return int(cupy.cuda.runtime.getDeviceCount()) > 0
    except Exception:  # CuPy raises its own runtime errors when no driver is loaded
        return False


class CudaPowSolver:
    """Searches ``batch`` candidates per kernel launch on CUDA device ``device_id``."""

    def __init__(self, device_id: int = 0, batch: int = 1 << 26, threads: int = 256) -> None:
        self.device_id, self.batch, self.threads = device_id, batch, threads
        self._kernel: Any = None

    def solve(
        self, nonce: bytes, difficulty: int, *, cancel: CancelFlag | None = None, start: int = 0
    ) -> PowSolution:
        """Raises: PowCancelled, PowDifficultyTooHigh, GPUError (CUDA failed), ValueError."""
        check_difficulty(difficulty)
        words, offset = message_block(nonce)
        try:
            return self._solve(nonce, difficulty, words, offset, cancel, start)
        except (PowCancelled, GPUError):
            raise
        except Exception as exc:  # CuPy / NVRTC / driver errors have no common base class
            raise GPUError(f"The CUDA proof-of-work solver failed: {exc}.") from exc

    def _solve(
        self,
        nonce: bytes,
        difficulty: int,
        words: list[int],
        offset: int,
        cancel: CancelFlag | None,
        start: int,
    ) -> PowSolution:
        import numpy  # installed with CuPy

        cupy = importlib.import_module("cupy")
        began = time.perf_counter()
        with cupy.cuda.Device(self.device_id):
            if self._kernel is None:
                self._kernel = cupy.RawKernel(KERNEL_SOURCE, KERNEL_NAME)
            block = cupy.asarray(numpy.array(words, dtype=numpy.uint32))
            unset = numpy.array([NO_SOLUTION], dtype=numpy.uint64)
            best = cupy.asarray(unset)
            base, tried = start, 0
            while base < U64_LIMIT:
                if cancel is not None and cancel.is_set():
                    raise PowCancelled("The proof-of-work search was cancelled.")
                count = min(self.batch, U64_LIMIT - base)
                best.set(unset)
                grid = ((count + self.threads - 1) // self.threads,)
                args = (
                    block,
                    numpy.uint32(offset),
                    numpy.uint64(base),
                    numpy.uint64(count),
                    numpy.uint32(difficulty),
                    best,
                )
                self._kernel(grid, (self.threads,), args)
                found = int(best.get()[0])
                tried += count
                if found != NO_SOLUTION:
                    elapsed = time.perf_counter() - began
                    return PowSolution(found, pow_hash(nonce, found), tried, elapsed, 1)
                base += count
        raise GPUError("No proof-of-work solution exists below 2**64 from this start.")


def solve_pow_preferring_cuda(
    nonce: bytes,
    difficulty: int,
    *,
    workers: int | None = None,
    cancel: CancelFlag | None = None,
    start: int = 0,
) -> PowSolution:
    """The CUDA solver where it can run, else (or if it fails) ``solve_pow`` on the CPU."""
    if cuda_solver_available() and len(nonce) <= MAX_CUDA_NONCE_BYTES:
        try:
            return CudaPowSolver().solve(nonce, difficulty, cancel=cancel, start=start)
        except GPUError as exc:
            log.warning("%s Falling back to the CPU solver.", exc)
    return solve_pow(nonce, difficulty, workers=workers, cancel=cancel, start=start)
