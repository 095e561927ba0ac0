"""The runner's command line: ``embed``, ``probe`` and ``--version`` (the contract: docs/runner.md).

``embed`` does the cheap checks first (the model folder's plan, the output's folder, the input
rows, the token limit), then imports torch, resolves the device (never the CPU in place of a
GPU), loads the model, embeds batch by batch writing progress lines, and writes the result with
its manifest atomically. Any failure ends with the exit code of the contract and, as the last
line on stderr, ``orban-runner: <what went wrong>``; no result file is left behind. The runner
forces ``HF_HUB_OFFLINE=1``: it downloads nothing. Imports the runner's modules, nothing else of
the project.
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
from orban_runner.errors import EXIT_FAILED, EXIT_OK, BadInput, RunnerError, Stopped, first_line

os.environ["HF_HUB_OFFLINE"] = "1"  # the runner downloads nothing, whatever it is given
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # usage errors are bad input: exit 2, one line
        raise BadInput(f"{message} (see python -m orban_runner embed --help)")


def _whole(low: int, high: int) -> Any:
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
    """The ``python -m orban_runner`` parser (usage errors raise BadInput)."""
    parser = _Parser(prog="python -m orban_runner", description="The Orban runner.")
    parser.add_argument("--version", action="version", version=f"orban-runner {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("probe", help="print what this environment can run, as JSON")
    embed = commands.add_parser("embed", help="embed the texts of a JSON Lines file")
    embed.add_argument("--model", type=Path, required=True, help="the model folder")
    embed.add_argument("--input", type=Path, required=True, help='JSON Lines of {"id", "text"}')
    embed.add_argument("--output", type=Path, required=True, help="the result .npz")
    embed.add_argument("--device", required=True, help="cpu, cuda, cuda:N or mps")
    embed.add_argument("--batch-size", type=_whole(1, 4096), default=64)
    embed.add_argument("--precision", choices=("fp32", "fp16", "bf16"), default="fp32")
    embed.add_argument("--max-length", type=_whole(1, 8192), default=None, help="tokens a text")
    embed.add_argument("--progress", type=Path, help="append one JSON line per batch here")
    embed.add_argument("--expect-gpu", help="the assigned GPU's UUID (GPU-...) or name")
    embed.add_argument("--model-name", default="", help="the model's name, for the manifest")
    embed.add_argument("--model-sha256", default=None, help="the model archive's sha256")
    embed.add_argument("--threads", type=_whole(1, 1024), default=None, help="torch CPU threads")
    embed.add_argument("--max-rows", type=_whole(1, 10_000_000), default=100_000)
    embed.add_argument("--max-text-chars", type=_whole(1, 10_000_000), default=20_000)
    return parser


def _import_torch() -> tuple[Any, str]:
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise RunnerError(f"this environment lacks the pipeline: {first_line(exc)}") from exc
    return torch, str(transformers.__version__)


def run_embed(args: argparse.Namespace) -> dict[str, Any]:
    """Do one ``embed``; returns the manifest written with the result.

    Raises:
        RunnerError: Any failure, with the exit code of the contract.
    """
    from orban_runner import devices, embed, inputs, manifest, model_folder, output
    from orban_runner.progress import Progress

    plan = model_folder.read_plan(args.model)
    output.check_writable(args.output)
    limits = inputs.InputLimits(max_rows=args.max_rows, max_text_chars=args.max_text_chars)
    rows = inputs.read_rows(args.input, limits)
    max_length = args.max_length or plan.default_max_length()
    if plan.token_limit and max_length > plan.token_limit:
        raise BadInput(
            f"--max-length {max_length} is more than the model takes ({plan.token_limit})"
        )
    torch, transformers_version = _import_torch()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = devices.resolve(torch, args.device, args.expect_gpu)
    with Progress(args.progress, len(rows), math.ceil(len(rows) / args.batch_size)) as progress:
        loaded = embed.load(torch, plan, device, args.precision)
        progress.loaded(loaded.load_s)
        started = time.perf_counter()
        vectors = embed.embed(
            torch, loaded, rows.texts, batch_size=args.batch_size, max_length=max_length,
            on_batch=progress.batch,
        )  # fmt: skip
        infer_s = time.perf_counter() - started
    peak = int(torch.cuda.max_memory_allocated(device.spec)) if device.kind == "cuda" else None
    if device.kind == "mps":
        peak = int(torch.mps.driver_allocated_memory())
    facts = manifest.RunFacts(
        model_name=args.model_name or plan.folder.name,
        model_sha256=args.model_sha256,
        framework_version=str(torch.__version__),
        transformers_version=transformers_version,
        precision=args.precision,
        batch_size=args.batch_size,
        max_length=max_length,
        rows=len(rows),
        dim=int(vectors.shape[1]),
        threads=int(torch.get_num_threads()),
        load_s=loaded.load_s,
        infer_s=infer_s,
        peak_device_memory_bytes=peak,
    )
    result = manifest.build_manifest(plan, device, facts)
    output.write_result(args.output, vectors, rows.ids, result)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (docs/runner.md)."""
    out: Path | None = None
    try:
        args = build_parser().parse_args(argv)
        if args.command == "probe":
            from orban_runner.probe import describe

            print(json.dumps(describe()), flush=True)
            return EXIT_OK
        out = args.output
        run_embed(args)
        return EXIT_OK
    except RunnerError as exc:
        failure, code = exc.message, exc.exit_code
    except KeyboardInterrupt as exc:  # SIGINT, or SIGTERM as Stopped (see __main__.py)
        failure = exc.message if isinstance(exc, Stopped) else "stopped by SIGINT before the end"
        code = EXIT_FAILED
    except Exception as exc:  # a bug or an unexpected library error: still one readable line
        import traceback

        traceback.print_exc()
        failure, code = f"unexpected {type(exc).__name__}: {first_line(exc)}", EXIT_FAILED
    if out is not None:
        from orban_runner.output import remove_result

        remove_result(out)
    sys.stdout.flush()
    print(f"orban-runner: {failure}", file=sys.stderr, flush=True)
    return code
