"""Export of the ledger: upstream's ``earnings.json`` shape, and CSV, to a file or a stream.

One rounding rule everywhere: every amount is written from the record's integer micro-units
(:func:`~orban_desktop.money.micros_to_text`), as the window and the CLI show it, so the rows of an
export add up to the totals shown; the platform's own text, where it was finer than a micro-unit,
is kept beside it (``amount_reported``). The JSON keeps the seed's shape ``{total_earnings,
today_earnings, pending_earnings, history}`` (``total`` = confirmed + paid, as upstream's
tracker) with RFC 3339 times, so :mod:`.seed_import` reads it back unchanged. A flagged record
(kept apart) is in no sum of the JSON but is in its history with a ``flag`` key, and in the
CSV's ``flag`` column, so an export loses nothing and an import keeps it apart again. A file is
written to a temporary name, fsynced and renamed, so a crash never leaves half an export; a
stream (standard output) is written as it goes. Imports nothing from Qt and no protocol models.
"""

from __future__ import annotations

import csv
import json
import os
import textwrap
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Protocol

from orban_desktop.earnings.local_time import rfc3339, to_us
from orban_desktop.earnings.records import EarningEntry
from orban_desktop.errors import StorageError
from orban_desktop.money import micros_to_text
from orban_desktop.protocol.enums import EarningStatus

CSV_COLUMNS = (
    "record_id", "task_id", "timestamp", "currency", "amount", "gpu_hours", "rate_per_hour",
    "amount_before_bonus", "bonus_multiplier", "status", "estimated_payout_date", "gpu_index",
    "job_id", "flag", "amount_reported",
)  # fmt: skip


class TextSink(Protocol):
    """An open text stream an export can be written to (standard output, say)."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


#: Where an export goes: a file (written atomically) or an open text stream.
ExportTarget = Path | TextSink


@contextmanager
def _opened(target: ExportTarget) -> Iterator[TextSink]:
    if isinstance(target, Path):
        with _atomic_text(target) as out:
            yield out
    else:
        yield target
        target.flush()


def _reported(entry: EarningEntry) -> str:
    """The platform's text when it says more than the micro-units do, else empty."""
    return "" if entry.amount.text == micros_to_text(entry.amount.micros) else entry.amount.text


@contextmanager
def _atomic_text(path: Path) -> Iterator[IO[str]]:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temp.open("w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise StorageError(f"Cannot write {path}: {exc}. Check the folder and free space.") from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_seed_json(
    target: ExportTarget, entries: Callable[[], Iterable[EarningEntry]], today_us: tuple[int, int]
) -> int:
    """Write the seed's shape; ``entries()`` is read twice (sums first, then the history)."""
    total = today = pending = 0
    for entry in entries():
        if entry.flag is not None:
            continue  # kept apart: listed below, in no total
        if entry.status is EarningStatus.PENDING:
            pending += entry.amount.micros
        else:
            total += entry.amount.micros
        if today_us[0] <= to_us(entry.recorded_at) < today_us[1]:
            today += entry.amount.micros
    count = 0
    with _opened(target) as out:
        out.write(f'{{\n  "total_earnings": "{micros_to_text(total)}",\n')
        out.write(f'  "today_earnings": "{micros_to_text(today)}",\n')
        out.write(f'  "pending_earnings": "{micros_to_text(pending)}",\n  "history": [')
        for entry in entries():
            item: dict[str, object] = {
                "timestamp": rfc3339(entry.recorded_at), "task_id": entry.task_id,
                "gpu_hours": entry.gpu_hours, "rate_per_hour": entry.rate_per_hour.text,
                "amount": micros_to_text(entry.amount.micros), "status": entry.status.value,
            }  # fmt: skip
            if reported := _reported(entry):
                item["amount_reported"] = reported
            if entry.flag is not None:
                item["flag"] = entry.flag.value
            text = textwrap.indent(json.dumps(item, indent=2, ensure_ascii=False), "    ")
            out.write(("," if count else "") + "\n" + text)
            count += 1
        out.write("\n  ]\n}\n" if count else "]\n}\n")
    return count


def _cell(text: str | None) -> str:
    """Free text for a spreadsheet: a leading = + - @ would run as a formula, so quote it."""
    if text is None:
        return ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(target: ExportTarget, entries: Iterable[EarningEntry]) -> int:
    """Write one CSV row per record (amounts from micro-units); returns rows written."""
    count = 0
    with _opened(target) as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for e in entries:
            bb = e.amount_before_bonus
            writer.writerow((
                _cell(e.record_id), _cell(e.task_id), rfc3339(e.recorded_at), e.currency,
                micros_to_text(e.amount.micros), repr(e.gpu_hours), e.rate_per_hour.text,
                "" if bb is None else bb.text,
                "" if e.bonus_multiplier is None else repr(e.bonus_multiplier), e.status.value,
                _cell(e.estimated_payout_date), "" if e.gpu_index is None else e.gpu_index,
                _cell(e.job_id), "" if e.flag is None else e.flag.value, _reported(e),
            ))  # fmt: skip
            count += 1
    return count
