"""GPU check 2: the CUDA proof-of-work solver finds an answer the CPU verifies."""

from __future__ import annotations

import os
import sys

from orban_desktop.gpu.pow import verify_pow
from orban_desktop.gpu.pow_cuda import CudaPowSolver, cuda_solver_available


def main() -> int:
    if not cuda_solver_available():
        print("FAIL: the CUDA solver is not available (CuPy or the driver missing)")
        return 1
    for difficulty in (16, 24, 28):
        nonce = os.urandom(32)
        solution = CudaPowSolver().solve(nonce, difficulty)
        digest = verify_pow(nonce, difficulty, solution.solution_nonce)
        rate = solution.hashes_tried / max(solution.elapsed_s, 1e-9)
        print(
            f"difficulty {difficulty}: n={solution.solution_nonce} in {solution.elapsed_s:.3f} s "
            f"({rate / 1e6:.0f} M hashes/s), verified={digest is not None}"
        )
        if digest is None:
            print("FAIL: the CPU does not verify the CUDA answer")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
