"""Pydantic field types for Orban protocol v1, typed and bounded as upstream's Rust structs.

Integers are strict and range-checked (``u32``, ``u64``), floats remember whether they are
``f32`` or ``f64`` (they print differently), money is :class:`~orban_desktop.money.Money`
(exact text plus micro-units), times are :class:`WireTime`, strings and lists have documented
bounds. Every validator raises ``ValueError`` so the codec can turn it into one ``ProtocolError``.
Imports nothing from Qt.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, PlainSerializer, PlainValidator, Strict, StringConstraints

from orban_desktop.money import Money
from orban_desktop.protocol.numbers import F32, to_f32
from orban_desktop.protocol.timestamps import WireTime

# ---- limits (documented in docs/orban-protocol.md, "Limits") ----
MAX_ID_LEN = 256
MAX_TEXT_LEN = 8192
MAX_URL_LEN = 2048
MAX_TOKEN_LEN = 8192
MAX_LIST_LEN = 256
MAX_BYTE_LIST = 65536

U8 = Annotated[int, Strict(), Field(ge=0, le=0xFF)]
U32 = Annotated[int, Strict(), Field(ge=0, le=0xFFFF_FFFF)]
U64 = Annotated[int, Strict(), Field(ge=0, le=0xFFFF_FFFF_FFFF_FFFF)]
Bool = Annotated[bool, Strict()]

Id = Annotated[str, Strict(), StringConstraints(max_length=MAX_ID_LEN)]
#: An id that is a key (a task, job, payout, challenge or message id): never empty, since an
#: empty key would merge unrelated records or be refused deep inside the agent.
KeyId = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=MAX_ID_LEN)]
Text = Annotated[str, Strict(), StringConstraints(max_length=MAX_TEXT_LEN)]
Url = Annotated[str, Strict(), StringConstraints(max_length=MAX_URL_LEN)]
Token = Annotated[str, Strict(), StringConstraints(max_length=MAX_TOKEN_LEN)]


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"expected a number, got {type(value).__name__}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError("a number must be finite")
    return result


def _f32(value: object) -> F32:
    try:
        result = to_f32(_number(value))
    except OverflowError as exc:
        raise ValueError("number out of f32 range") from exc
    return F32(result)


F64 = Annotated[float, PlainValidator(_number)]
F32Field = Annotated[float, PlainValidator(_f32)]


def _money(value: object) -> Money:
    if isinstance(value, Money):
        return value
    if isinstance(value, str | int | Decimal) and not isinstance(value, bool):
        return Money.parse(value)  # MoneyError is a ValueError
    if isinstance(value, float):
        raise ValueError("money must be a decimal string, not a float")
    raise ValueError(f"expected a decimal amount, got {type(value).__name__}")


MoneyField = Annotated[Money, PlainValidator(_money), PlainSerializer(lambda m: m.text)]
Time = Annotated[WireTime, PlainValidator(WireTime.coerce), PlainSerializer(str)]


def _u8_list(value: object) -> bytes:
    if isinstance(value, bytes):
        if len(value) > MAX_BYTE_LIST:
            raise ValueError(f"at most {MAX_BYTE_LIST} bytes")
        return value
    if not isinstance(value, list) or len(value) > MAX_BYTE_LIST:
        raise ValueError(f"expected a list of at most {MAX_BYTE_LIST} bytes")
    if not all(isinstance(b, int) and not isinstance(b, bool) and 0 <= b <= 255 for b in value):
        raise ValueError("every byte must be an integer 0-255")
    return bytes(value)


ByteList = Annotated[bytes, PlainValidator(_u8_list), PlainSerializer(list)]


def _json_value(value: object, depth: int = 0) -> Any:
    """Check a free-form JSON value (TaskPayload.config, ERROR context): bounded and finite."""
    if depth > 32:
        raise ValueError("JSON value nested too deeply")
    if value is None or isinstance(value, bool | int | str | Decimal):
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError("a number must be finite")
        return value
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, list):
        return [_json_value(v, depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ValueError("JSON object keys must be strings")
        return {k: _json_value(v, depth + 1) for k, v in value.items()}
    raise ValueError(f"not a JSON value: {type(value).__name__}")


JsonValue = Annotated[Any, PlainValidator(_json_value)]
