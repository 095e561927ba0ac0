"""The runner's one error type: an exit code of the contract and one readable sentence."""

from __future__ import annotations

#: Exit codes (docs/runner.md).
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_DEVICE = 3
EXIT_MODEL = 4
EXIT_OUT_OF_MEMORY = 5


class RunnerError(Exception):
    """A run that cannot succeed: ``exit_code`` from the contract, ``message`` one sentence."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(RunnerError):
    exit_code = EXIT_BAD_INPUT


class DeviceUnavailable(RunnerError):
    exit_code = EXIT_DEVICE


class BadModel(RunnerError):
    exit_code = EXIT_MODEL


class OutOfMemory(RunnerError):
    exit_code = EXIT_OUT_OF_MEMORY
