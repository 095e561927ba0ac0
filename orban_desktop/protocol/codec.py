"""Encode and decode Orban protocol v1 frames; bad input raises ``ProtocolError`` and nothing else.

Text frames are JSON in the exact form the upstream agent writes (serde_json): envelope keys
``message_id``, ``timestamp`` (``+00:00``), ``type``, then the payload in struct order, compact,
UTF-8 unescaped, ``null`` for ``None``, decimals as strings, f32/f64 printed as Ryū does. On input
it accepts what upstream accepts: Unix timestamps, decimals as numbers (parsed exactly, never
through a float), unknown fields, and the documented variants. Frames over ``MAX_FRAME_BYTES``
are refused before parsing. Binary frames (extension ``binary``) are in ``binary.py``. This
module is sans-I/O: no sockets, no asyncio, no Qt.
"""

from __future__ import annotations

import json
from decimal import Decimal
from enum import Enum
from json.encoder import encode_basestring
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from orban_desktop.errors import MessageTooLarge, ProtocolError, UnknownMessageType
from orban_desktop.money import Money
from orban_desktop.protocol.enums import MessageType
from orban_desktop.protocol.messages import MESSAGE_CLASSES, Message
from orban_desktop.protocol.numbers import F32, format_f32, format_f64
from orban_desktop.protocol.timestamps import WireTime
from orban_desktop.protocol.types import WireModel

#: Largest frame accepted or sent, in bytes (after permessage-deflate decompression).
MAX_FRAME_BYTES = 1024 * 1024

M = TypeVar("M", bound=Message)


# ---------------------------------------------------------------- encoding
def _emit(value: object, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, str):
        out.append(encode_basestring(value.value if isinstance(value, Enum) else value))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, F32):
        out.append(format_f32(value))
    elif isinstance(value, float):
        out.append(format_f64(value))
    elif isinstance(value, Money):
        out.append(encode_basestring(value.text))
    elif isinstance(value, WireTime):
        out.append(f'"{value.rfc3339_z()}"')
    elif isinstance(value, Decimal):
        out.append(str(value))
    elif isinstance(value, BaseModel):
        _emit_model(value, out, envelope=False)
    elif isinstance(value, list | tuple):
        _emit_sequence(value, out)
    elif isinstance(value, bytes):
        _emit_sequence(list(value), out)
    elif isinstance(value, dict):
        # serde_json::Value keeps objects in a BTreeMap: keys sorted.
        out.append("{")
        for i, key in enumerate(sorted(value)):
            if i:
                out.append(",")
            out.append(encode_basestring(key))
            out.append(":")
            _emit(value[key], out)
        out.append("}")
    else:
        raise TypeError(f"cannot encode {type(value).__name__}")


def _emit_sequence(items: list[object] | tuple[object, ...], out: list[str]) -> None:
    out.append("[")
    for i, item in enumerate(items):
        if i:
            out.append(",")
        _emit(item, out)
    out.append("]")


def _emit_model(model: BaseModel, out: list[str], *, envelope: bool) -> None:
    extensions = model.EXTENSION_FIELDS if isinstance(model, WireModel) else frozenset()
    out.append("{")
    first = True
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value is None and name in extensions:
            continue
        if not first:
            out.append(",")
        first = False
        out.append(f'"{name}":')
        if envelope and name == "timestamp":
            assert isinstance(value, WireTime)
            out.append(f'"{value.rfc3339_offset()}"')
            out.append(f',"type":"{model.TYPE.value}"')  # type: ignore[attr-defined]
        else:
            _emit(value, out)
    out.append("}")


def encode_json(message: Message) -> str:
    """The text frame for ``message``, byte for byte as upstream would write it.

    Raises:
        ProtocolError: The frame would exceed ``MAX_FRAME_BYTES`` or holds unencodable text.
    """
    out: list[str] = []
    try:
        _emit_model(message, out, envelope=True)
        text = "".join(out)
        size = len(text.encode("utf-8"))
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise ProtocolError(f"cannot encode {message.TYPE.value}: {exc}") from exc
    if size > MAX_FRAME_BYTES:
        raise ProtocolError(
            f"{message.TYPE.value} frame is {size} bytes, over the {MAX_FRAME_BYTES}-byte limit",
            context={"size": size},
        )
    return text


# ---------------------------------------------------------------- decoding
def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"]) or "frame"
        parts.append(f"{where}: {error['msg']}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def parse_frame_object(data: str | bytes, max_bytes: int = MAX_FRAME_BYTES) -> dict[str, object]:
    """Parse a text frame into a JSON object (no model yet), with the size cap applied first."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise MessageTooLarge(f"frame of {size} bytes is over the {max_bytes}-byte limit")
    try:
        obj = json.loads(data, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, ...
        raise ProtocolError(f"frame is not valid JSON: {str(exc)[:200]}") from exc
    if not isinstance(obj, dict):
        raise ProtocolError("frame is not a JSON object")
    return obj


def message_class_for(obj: dict[str, object]) -> type[Message]:
    """The model class for a frame's ``type`` (an unknown type is a ``ProtocolError``)."""
    type_name = obj.get("type")
    if not isinstance(type_name, str) or type_name not in MESSAGE_CLASSES:
        shown = type_name[:64] if isinstance(type_name, str) else type(type_name).__name__
        raise UnknownMessageType(f"unknown message type {shown!r}", context={"type": shown})
    return MESSAGE_CLASSES[MessageType(type_name)]


def decode_json(data: str | bytes, max_bytes: int = MAX_FRAME_BYTES) -> Message:
    """Decode one text frame into its message model.

    Raises:
        ProtocolError: Oversized, not JSON, not an object, unknown ``type``, or a field that is
            missing, of the wrong type or out of range (the message names it).
    """
    obj = parse_frame_object(data, max_bytes)
    cls = message_class_for(obj)
    try:
        return cls.model_validate(obj)
    except ValidationError as exc:
        raise ProtocolError(f"invalid {cls.TYPE.value}: {_describe(exc)}") from exc
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise ProtocolError(f"invalid {cls.TYPE.value}: {str(exc)[:200]}") from exc


def decode_json_as(data: str | bytes, cls: type[M], max_bytes: int = MAX_FRAME_BYTES) -> M:
    """Decode a frame that must be of one type (e.g. the AUTH_CHALLENGE that opens a session)."""
    message = decode_json(data, max_bytes)
    if not isinstance(message, cls):
        raise ProtocolError(f"expected {cls.TYPE.value}, got {message.TYPE.value}")
    return message
