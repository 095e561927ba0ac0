"""Export of the ledger: the upstream agent's ``earnings.json`` shape, and CSV.

The JSON export keeps the seed's shape ``{total_earnings, today_earnings, pending_earnings,
history}`` with exact decimal strings (sums of exact texts, not of rounded micros) and RFC 3339
times, so :mod:`.seed_import` reads it back unchanged. A flagged record (kept apart) is in no sum
of the JSON but is in its history with a ``flag`` key, and in the CSV's ``flag`` column, so an
export loses nothing and an import keeps it apart again. Files are written to a temporary name,
fsynced and renamed, so a crash never leaves half an export. Imports nothing from Qt and no
protocol message models.
"""

from __future__ import annotations

import csv
import json
import os
import textwrap
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO

from orban_desktop.earnings.local_time import rfc3339, to_us
from orban_desktop.earnings.records import EarningEntry
from orban_desktop.errors import StorageError
from orban_desktop.protocol.enums import EarningStatus

CSV_COLUMNS = (
    "record_id", "task_id", "timestamp", "currency", "amount", "gpu_hours", "rate_per_hour",
    "amount_before_bonus", "bonus_multiplier", "status", "estimated_payout_date", "gpu_index",
    "job_id", "flag",
)  # fmt: skip


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
    path: Path, entries: Callable[[], Iterable[EarningEntry]], today_us: tuple[int, int]
) -> int:
    """Write the seed's shape; ``entries()`` is read twice (sums first, then the history)."""
    total = today = pending = Decimal(0)
    for entry in entries():
        if entry.flag is not None:
            continue  # kept apart: listed below, in no total
        if entry.status is EarningStatus.PENDING:
            pending += entry.amount.decimal
        else:
            total += entry.amount.decimal
        if today_us[0] <= to_us(entry.recorded_at) < today_us[1]:
            today += entry.amount.decimal
    count = 0
    with _atomic_text(path) as out:
        out.write(f'{{\n  "total_earnings": "{total:f}",\n  "today_earnings": "{today:f}",\n')
        out.write(f'  "pending_earnings": "{pending:f}",\n  "history": [')
        for entry in entries():
            item = {"timestamp": rfc3339(entry.recorded_at), "task_id": entry.task_id,
                    "gpu_hours": entry.gpu_hours, "rate_per_hour": entry.rate_per_hour.text,
                    "amount": entry.amount.text, "status": entry.status.value}  # fmt: skip
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


def write_csv(path: Path, entries: Iterable[EarningEntry]) -> int:
    """Write one CSV row per record (exact amount texts); returns rows written."""
    count = 0
    with _atomic_text(path) as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for e in entries:
            bb = e.amount_before_bonus
            writer.writerow((
                _cell(e.record_id), _cell(e.task_id), rfc3339(e.recorded_at), e.currency,
                e.amount.text, repr(e.gpu_hours), e.rate_per_hour.text,
                "" if bb is None else bb.text,
                "" if e.bonus_multiplier is None else repr(e.bonus_multiplier), e.status.value,
                _cell(e.estimated_payout_date), "" if e.gpu_index is None else e.gpu_index,
                _cell(e.job_id), "" if e.flag is None else e.flag.value,
            ))  # fmt: skip
            count += 1
    return count
