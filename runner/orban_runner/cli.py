"""The runner's command line: ``embed``, ``probe`` and ``--version`` (docs/runner.md).

``embed`` reads the model folder's plan and the input first (cheap checks before the slow
imports), resolves the device (never the CPU in place of a GPU), loads the model, embeds batch
by batch writing progress lines, and writes the result with its manifest atomically. Any
failure ends with a non-zero exit code of the contract and, as the last line on stderr,
``orban-runner: <what went wrong>``; a partial result is never left behind.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from orban_runner import __version__
from orban_runner.errors import EXIT_FAILED, EXIT_OK, BadInput, RunnerError

os.environ["HF_HUB_OFFLINE"] = "1"  # the runner downloads nothing, whatever it is given
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # usage errors are bad input: exit 2, one line
        raise BadInput(f"{message} (see python -m orban_runner embed --help)")


def _positive(low: int, high: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {low} to {high} (got {value})")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m orban_runner", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"orban-runner {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("probe", help="print what this environment can run, as JSON")
    embed = commands.add_parser("embed", help="embed the texts of a JSON Lines file")
    embed.add_argument("--model", type=Path, required=True, help="the model folder")
    embed.add_argument("--input", type=Path, required=True, help='JSON Lines of {"id", "text"}')
    embed.add_argument("--output", type=Path, required=True, help="the result .npz")
    embed.add_argument("--device", required=True, help="cpu, cuda, cuda:N or mps")
    embed.add_argument("--batch-size", type=_positive(1, 4096), default=64)
    embed.add_argument("--precision", choices=("fp32", "fp16", "bf16"), default="fp32")
    embed.add_argument("--max-length", type=_positive(1, 8192), default=None)
    embed.add_argument("--progress", type=Path, help="append one JSON line per batch here")
    embed.add_argument("--expect-gpu", help="the assigned GPU's UUID or name")
    embed.add_argument("--model-name", default="", help="the model's name, for the manifest")
    embed.add_argument("--model-sha256", default=None, help="the model archive's sha256")
    embed.add_argument("--threads", type=_positive(1, 1024), default=None)
    embed.add_argument("--max-rows", type=_positive(1, 10_000_000), default=100_000)
    embed.add_argument("--max-text-chars", type=_positive(1, 10_000_000), default=20_000)
    return parser


def run_embed(args: argparse.Namespace) -> dict[str, Any]:
    """Do one ``embed``; returns the manifest written with the result."""
    from orban_runner import devices, embed, inputs, model_folder
    from orban_runner.output import write_result
    from orban_runner.progress import Progress

    plan = model_folder.read_plan(args.model)
    rows = inputs.read_rows(args.input, max_rows=args.max_rows, max_text_chars=args.max_text_chars)
    import torch
    import transformers

    if args.threads:
        torch.set_num_threads(args.threads)
    device = devices.resolve(torch, args.device, args.expect_gpu)
    max_length = args.max_length or plan.max_seq_length or 256
    loaded = embed.load(torch, plan, device, args.precision)
    batches = math.ceil(len(rows) / args.batch_size)
    progress = Progress(args.progress, len(rows), batches)
    try:
        progress.start(loaded.load_s)
        started = time.perf_counter()
        vectors = embed.embed(
            torch, loaded, device, rows.texts, batch_size=args.batch_size,
            max_length=max_length, on_batch=progress.batch,
        )  # fmt: skip
        if device.spec.startswith("cuda"):
            torch.cuda.synchronize()
        infer_s = time.perf_counter() - started
    finally:
        progress.close()
    peak = int(torch.cuda.max_memory_allocated()) if device.spec.startswith("cuda") else None
    manifest = {
        "runner_version": __version__,
        "pipeline": "text-embedding",
        "model_name": args.model_name or plan.folder.name,
        "model_sha256": args.model_sha256,
        "framework": "pytorch",
        "framework_version": str(torch.__version__),
        "transformers_version": str(transformers.__version__),
        "device": device.spec,
        "device_name": device.name,
        "device_uuid": device.uuid,
        "precision": args.precision,
        "batch_size": args.batch_size,
        "max_length": max_length,
        "rows": len(rows),
        "dim": int(vectors.shape[1]),
        "pooling": plan.pooling,
        "normalize": plan.normalize,
        "threads": int(torch.get_num_threads()),
        "load_s": round(loaded.load_s, 6),
        "infer_s": round(infer_s, 6),
        "rows_per_s": round(len(rows) / infer_s, 3) if infer_s > 0 else 0.0,
        "peak_device_memory_bytes": peak,
    }
    write_result(args.output, vectors, rows.ids, manifest)
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    output: Path | None = None
    try:
        args = build_parser().parse_args(argv)
        if args.command == "probe":
            from orban_runner.probe import describe

            print(json.dumps(describe()))
            return EXIT_OK
        output = args.output
        run_embed(args)
        return EXIT_OK
    except RunnerError as exc:
        failure, code = exc.message, exc.exit_code
    except KeyboardInterrupt:
        failure, code = "stopped by a signal", EXIT_FAILED
    except Exception as exc:  # a bug or an unexpected library error: still one readable line
        import traceback

        traceback.print_exc()
        failure, code = f"unexpected {type(exc).__name__}: {str(exc).splitlines()[0][:300]}", 1
    if output is not None:
        from orban_runner.output import remove_partial

        remove_partial(output)
    print(f"orban-runner: {failure}", file=sys.stderr)
    return code
