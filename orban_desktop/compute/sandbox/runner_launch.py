"""How a runner task's process is started: the runner's command line, the same in both sandboxes.

A :class:`RunnerLaunch` carries what the agent decided for one runner task (the image or the
runner environment's Python, the device, the expected GPU, the batch size, precision and token
limit); :meth:`RunnerLaunch.argv` writes the ``python -m orban_runner embed ...`` arguments
around the paths each sandbox sees (``/models/<sha256>`` and ``/workspace/...`` in Docker, the
host's paths in the process sandbox). The command line is the contract of ``docs/runner.md``:
the platform never sends a command. :data:`RUNNER_ENV` is the environment every runner gets
(offline, no telemetry). Imports nothing of the project, and nothing from Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

#: File names in a runner task's workspace: the result inside ``out/``, and progress.
RUNNER_OUTPUT_NAME = "result.npz"
RUNNER_PROGRESS_NAME = "progress.jsonl"
#: Where the runner image keeps its Python (a venv holding orban_runner and its dependencies).
IMAGE_RUNNER_BIN = "/opt/runner/bin"
#: Environment of every runner: it downloads nothing and reports nothing.
RUNNER_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
}


@dataclass(frozen=True)
class RunnerLaunch:
    """One runner task's start-up facts.

    Attributes:
        image: The allowed runner image (Docker sandbox).
        python: The runner environment's Python (process sandbox); ``None`` when none is set.
        model_sha256: The model archive's hex sha256 (the folder is ``/models/<it>`` in Docker).
        model_name: The model's name, for the manifest.
        device: ``cpu``, ``cuda:0`` or ``mps`` (the task's one GPU is always device 0).
        expect_gpu: The assigned GPU's UUID (or name) the runner must find, or ``None`` on CPU.
        batch_size: Rows per forward pass.
        precision: ``fp32``, ``fp16`` or ``bf16``.
        max_length: Token limit per text.
        threads: CPU threads the runner may use.
    """

    image: str
    python: str | None
    model_sha256: str
    model_name: str
    device: str
    expect_gpu: str | None
    batch_size: int
    precision: str
    max_length: int
    threads: int

    @property
    def on_cpu(self) -> bool:
        return self.device == "cpu"

    def argv(
        self, *, model_dir: str, input_path: str, output_path: str, progress_path: str
    ) -> list[str]:
        """``-m orban_runner embed ...`` for the given paths (the interpreter is the caller's)."""
        args = [
            "-m",
            "orban_runner",
            "embed",
            "--model",
            model_dir,
            "--input",
            input_path,
            "--output",
            output_path,
            "--progress",
            progress_path,
            "--device",
            self.device,
            "--batch-size",
            str(self.batch_size),
            "--precision",
            self.precision,
            "--max-length",
            str(self.max_length),
            "--model-name",
            self.model_name,
            "--model-sha256",
            self.model_sha256,
            "--threads",
            str(max(1, self.threads)),
        ]
        if self.expect_gpu:
            args += ["--expect-gpu", self.expect_gpu]
        return args
