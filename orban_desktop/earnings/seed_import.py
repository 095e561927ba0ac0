"""Reading the upstream agent's ``earnings.json`` (the seed's format) for import.

Every number is parsed from the JSON text as ``Decimal`` (``parse_float=Decimal``), never through a
float, so amounts keep their exact text whether the file wrote them as strings or numbers. Records
the upstream agent wrote with an empty ``task_id`` get a stable id: a hash of their content plus
how many identical records came before, so importing the same file, or an export of it, twice adds
nothing. The file's own totals are kept as written and checked against its history, never used
for sums. A record with a ``flag`` (an export of a flagged record) is imported kept apart again,
as is any negative amount; neither is in the stated totals checked. Imports nothing from Qt and no
protocol message models.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from orban_desktop.earnings.local_time import rfc3339
from orban_desktop.earnings.records import EarningEntry, EarningFlag, ImportReport, RecordOutcome
from orban_desktop.errors import StorageError
from orban_desktop.money import Money, MoneyError
from orban_desktop.protocol.enums import EarningStatus

_COUNTED = (EarningStatus.CONFIRMED, EarningStatus.PAID)


class SeedImportError(StorageError):
    """An ``earnings.json`` that cannot be read or is not in the upstream agent's format."""

    title = "Cannot import earnings"


@dataclass(frozen=True, slots=True)
class SeedFile:
    """A parsed upstream ``earnings.json``: its records and its own totals as written."""

    entries: list[EarningEntry]
    stated_total: str | None
    stated_today: str | None
    stated_pending: str | None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _money_text(value: object, where: str) -> Money:
    try:
        return Money.parse(value)  # type: ignore[arg-type]  # MoneyError says what was wrong
    except MoneyError as exc:
        raise SeedImportError(f"{where}: {exc}") from exc


def _synthetic_id(key: str, seen: dict[str, int]) -> str:
    occurrence = seen.get(key, 0)
    seen[key] = occurrence + 1
    return "upstream-" + hashlib.sha256(f"{key}|{occurrence}".encode()).hexdigest()[:24]


def _entry(item: object, where: str, seen: dict[str, int]) -> EarningEntry:
    if not isinstance(item, dict):
        raise SeedImportError(f"{where} is not an object")
    try:
        stamp = datetime.fromisoformat(str(item["timestamp"]))
        if stamp.tzinfo is None:
            raise ValueError("timestamp has no time zone")
        task_id, status = str(item["task_id"]), EarningStatus(item["status"])
        gpu_hours = float(Decimal(str(item["gpu_hours"])))
        exact = item.get("amount_reported", item["amount"])  # our export keeps the wire's text
        amount = _money_text(exact, f"{where}.amount")
        rate = _money_text(item["rate_per_hour"], f"{where}.rate_per_hour")
        flag = None if item.get("flag") is None else EarningFlag(item["flag"])
    except (KeyError, ValueError, ArithmeticError) as exc:
        raise SeedImportError(f"{where}: missing or invalid field ({exc})") from exc
    key = "|".join((rfc3339(stamp), str(amount.decimal.normalize()),
                    str(rate.decimal.normalize()), repr(gpu_hours)))  # fmt: skip
    return EarningEntry(
        record_id=task_id or _synthetic_id(key, seen),
        task_id=task_id,
        amount=amount,
        gpu_hours=gpu_hours,
        rate_per_hour=rate,
        status=status,
        recorded_at=stamp,
        flag=flag,
    )


def read_seed_json(path: Path) -> SeedFile:
    """Parse an upstream ``earnings.json`` into entries (nothing is stored yet).

    Raises:
        SeedImportError: Unreadable file, not JSON, or a record not in the seed's format.
    """
    hint = "It should be the earnings.json the Orban agent wrote, or an `orban-agent export`."
    try:
        data = json.loads(
            path.read_text(encoding="utf-8"), parse_float=Decimal, parse_constant=_reject_constant
        )
    except (OSError, ValueError) as exc:
        raise SeedImportError(f"Cannot read {path}: {exc}. {hint}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("history"), list):
        raise SeedImportError(f"{path} has no `history` list. {hint}")
    seen: dict[str, int] = {}
    entries = [_entry(item, f"history[{i}]", seen) for i, item in enumerate(data["history"])]
    stated = {
        name: None if data.get(name) is None else _money_text(data[name], name).text
        for name in ("total_earnings", "today_earnings", "pending_earnings")
    }
    return SeedFile(
        entries, stated["total_earnings"], stated["today_earnings"], stated["pending_earnings"]
    )


def import_report(seed: SeedFile, outcomes: list[RecordOutcome]) -> ImportReport:
    """Count outcomes and check the file's stated total and pending against its history."""
    mismatches = []
    counted = [e for e in seed.entries if e.counted]
    parts = {
        "total_earnings": [e.amount for e in counted if e.status in _COUNTED],
        "pending_earnings": [e.amount for e in counted if e.status is EarningStatus.PENDING],
    }
    for name, stated in (("total_earnings", seed.stated_total),
                         ("pending_earnings", seed.stated_pending)):  # fmt: skip
        exact = sum((amount.decimal for amount in parts[name]), Decimal(0))
        micros = sum(amount.micros for amount in parts[name])
        # upstream states the exact sum; our export the sum of micro-units, as the app shows it
        if stated is not None and Decimal(stated) not in (exact, Decimal(micros).scaleb(-6)):
            mismatches.append(f"{name} says {stated}, its history sums to {exact}")
    return ImportReport(
        imported=outcomes.count(RecordOutcome.STORED) + outcomes.count(RecordOutcome.FLAGGED),
        skipped_duplicates=outcomes.count(RecordOutcome.ALREADY_STORED),
        status_updated=outcomes.count(RecordOutcome.STATUS_UPDATED),
        conflicts=outcomes.count(RecordOutcome.CONFLICT_KEPT_FIRST),
        stated_totals_match=not mismatches,
        mismatches=mismatches,
        flagged=outcomes.count(RecordOutcome.FLAGGED),
    )
