"""Per-field conversions between the pydantic models and ``orban.protocol.v1`` where they differ.

``binary.py`` maps a model field to the protobuf field of the same name; most need nothing more
(strings, integers, floats, enums as their JSON spelling, times as RFC 3339 ``Z`` text). This
module holds the exceptions, as a table keyed ``"<ProtoMessage>.<field>"``: fields whose JSON form
is text but whose protobuf form is bytes (base64 signatures, hex hashes, the PoW nonce), the free
JSON values (``config``, ``context``) with their ``*_json`` companion, and the extension lists
that read back as ``None`` when empty. It also names the lossless companions (``*_decimal``,
``*_f64``, ``*_json``). Imports nothing from Qt and no I/O.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from google.protobuf.message import Message as ProtoMessage

from orban_desktop.errors import ProtocolError
from orban_desktop.protocol.codec import _emit
from orban_desktop.protocol.messages import PowChallenge
from orban_desktop.protocol.types import WireModel

#: Suffixes of the fields we add beside a lossy upstream field (see proto/orban.proto).
DECIMAL_SUFFIX = "_decimal"
F64_SUFFIX = "_f64"
JSON_SUFFIX = "_json"
COMPANION_SUFFIXES = (DECIMAL_SUFFIX, F64_SUFFIX, JSON_SUFFIX)

_EVEN_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")


def put_plain(model: WireModel, pb: ProtoMessage, name: str) -> None:
    """Copy a value that needs no conversion (``None`` leaves the field unset)."""
    value = getattr(model, name)
    if value is not None:
        setattr(pb, name, value)


def get_plain(pb: ProtoMessage, name: str) -> Any:
    return getattr(pb, name)


@dataclass(frozen=True, slots=True)
class FieldRule:
    """How one model field is written into (``put``) and read from (``get``) its protobuf message.

    ``put(model, pb, name)`` may raise :class:`ProtocolError` for a value the binary form cannot
    carry; ``get(pb, name)`` returns the value to validate (it may raise ``ValueError``).
    """

    put: Callable[[WireModel, ProtoMessage, str], None] = put_plain
    get: Callable[[ProtoMessage, str], Any] = get_plain


# ---- text in JSON, bytes in protobuf ----
def _put_base64(model: WireModel, pb: ProtoMessage, name: str) -> None:
    text: str = getattr(model, name)
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ProtocolError(f"{name} is not valid base64, so it cannot be sent as bytes") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise ProtocolError(f"{name} is not canonical base64, so it would not read back the same")
    setattr(pb, name, raw)


def _get_base64(pb: ProtoMessage, name: str) -> str:
    return base64.b64encode(getattr(pb, name)).decode("ascii")


def _put_hex(model: WireModel, pb: ProtoMessage, name: str) -> None:
    text: str = getattr(model, name)
    if not _EVEN_HEX.fullmatch(text):
        raise ProtocolError(f"{name} is not hex text, so it cannot be sent as bytes")
    setattr(pb, name, bytes.fromhex(text))


def _get_hex(pb: ProtoMessage, name: str) -> str:
    """Bytes back to text as lowercase hex (an uppercase or base64 original is normalised)."""
    raw: bytes = getattr(pb, name)
    return raw.hex()


def _put_pow_nonce(model: WireModel, pb: ProtoMessage, name: str) -> None:
    assert isinstance(model, PowChallenge)
    try:
        setattr(pb, name, model.nonce_bytes())
    except ValueError as exc:
        raise ProtocolError(f"cannot send the PoW nonce as bytes: {exc}") from exc


def _get_byte_list(pb: ProtoMessage, name: str) -> list[int]:
    """As the JSON number list, so the model's list bound applies to binary input too."""
    return list(getattr(pb, name))


# ---- free JSON values (TaskPayload.config, Error.context) ----
def compact_json(value: object) -> str:
    """Compact JSON text as the JSON codec writes it: keys sorted, decimals exactly as held."""
    out: list[str] = []
    _emit(value, out)
    return "".join(out)


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def _put_json(model: WireModel, pb: ProtoMessage, name: str) -> None:
    """``*_json`` gets the whole value; upstream's map gets each top-level key's JSON text."""
    value = getattr(model, name)
    if value is None:
        return
    setattr(pb, name + JSON_SUFFIX, compact_json(value))
    if isinstance(value, dict):
        mapping = getattr(pb, name)
        for key, item in value.items():
            mapping[key] = compact_json(item)


def _get_json(pb: ProtoMessage, name: str) -> Any:
    """The ``*_json`` value; else upstream's map as plain strings; both empty: ``None``."""
    text: str = getattr(pb, name + JSON_SUFFIX)
    if text:
        try:
            return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
        except ValueError as exc:  # JSONDecodeError is a ValueError
            raise ValueError(f"{name}{JSON_SUFFIX} is not valid JSON: {exc}") from exc
    mapping = getattr(pb, name)
    return dict(mapping) if mapping else None


# ---- extension lists: absent and empty are the same in protobuf ----
def _put_strings(model: WireModel, pb: ProtoMessage, name: str) -> None:
    getattr(pb, name).extend(getattr(model, name) or ())


def _get_list_or_none(pb: ProtoMessage, name: str) -> list[str] | None:
    items = list(getattr(pb, name))
    return items or None


_BASE64 = FieldRule(put=_put_base64, get=_get_base64)
_JSON = FieldRule(put=_put_json, get=_get_json)
_LIST_OR_NONE = FieldRule(put=_put_strings, get=_get_list_or_none)

#: The fields that differ, keyed "<protobuf message name>.<field name>".
FIELD_RULES: dict[str, FieldRule] = {
    "AuthChallenge.extensions": _LIST_OR_NONE,
    "AuthResponse.extensions": _LIST_OR_NONE,
    "AuthResponse.signature": _BASE64,
    "AuthResponse.public_key": _BASE64,
    "PowChallenge.nonce": FieldRule(put=_put_pow_nonce, get=_get_hex),
    "PowResponse.response": FieldRule(put=_put_hex, get=_get_hex),
    "ProofOfWork.response": FieldRule(get=_get_byte_list),
    "TaskPayload.config": _JSON,
    "Error.context": _JSON,
}


def is_companion(name: str, field_names: frozenset[str] | set[str]) -> bool:
    """Whether ``name`` is a companion we added beside a same-named upstream field."""
    return any(
        name.endswith(suffix) and name[: -len(suffix)] in field_names
        for suffix in COMPANION_SUFFIXES
    )
