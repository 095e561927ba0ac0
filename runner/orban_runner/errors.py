"""The runner's one error tree: each error carries the exit code of the contract and one sentence.

::

    RunnerError (exit 1: anything else)
    ├── BadInput           exit 2: bad input rows, bad options, an unwritable output
    ├── DeviceUnavailable  exit 3: the device is not there, or it is not the expected one
    ├── BadModel           exit 4: the model folder lacks a file, or its architecture or a module
    │                              is not one this runner runs
    └── OutOfMemory        exit 5: the device (or the host) ran out of memory
    Stopped (a KeyboardInterrupt, outside the tree) exit 1: SIGTERM before the end

The command line (``cli.py``) turns any of them into its exit code and, as the last line on
stderr, ``orban-runner: <message>``. Foreign exceptions are converted where they arise
(``raise ... from exc``). Imports nothing.
"""

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
    """The input, an option or an output path is not usable (exit 2)."""

    exit_code = EXIT_BAD_INPUT


class DeviceUnavailable(RunnerError):
    """The device asked for is not there or is not the assigned one (exit 3); no CPU fallback."""

    exit_code = EXIT_DEVICE


class BadModel(RunnerError):
    """The model folder is incomplete, unreadable or of a kind this runner does not run (exit 4)."""

    exit_code = EXIT_MODEL


class OutOfMemory(RunnerError):
    """The device or the host ran out of memory (exit 5); the message says what to reduce."""

    exit_code = EXIT_OUT_OF_MEMORY


class Stopped(KeyboardInterrupt):
    """The run was stopped by a signal (SIGTERM) before it finished (exit 1).

    A ``KeyboardInterrupt``, not a :class:`RunnerError`, on purpose: it is raised from the signal
    handler wherever the run is, often inside transformers, whose ``except Exception`` blocks
    would otherwise catch it and turn it into another error.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def first_line(exc: BaseException, limit: int = 300) -> str:
    """The first line of ``exc``'s text, at most ``limit`` characters (for one-line messages)."""
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:limit]
