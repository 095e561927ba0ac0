"""Binary frames (extension ``binary``): a message as one serialized ``orban.protocol.v1.Message``.

When the WebSocket subprotocol ``agent.orban.v1+proto`` is selected, every frame of the session
is a binary frame encoded here against ``proto/orban.proto`` (upstream's schema plus our fields;
its header states the rules). A generic walker maps each model field to the protobuf field of
the same name: nested models to sub-messages, enums to their JSON spelling, times to RFC 3339
``Z`` text, money to the upstream ``float`` plus its exact ``*_decimal`` text, f64 values to the
upstream ``float`` plus their ``*_f64``; ``binary_fields.py`` holds the few fields that differ.
Decoding refuses oversized input first, then parses, then validates through the same pydantic
models as JSON (so the same bounds apply); bad input raises ``ProtocolError`` and nothing else.
A round trip gives back an equal model except for these normalisations: a base64 PoW nonce and
an uppercase hex ``PowResponse.response`` come back as lowercase hex, an empty ``extensions``
list as ``None``, and floats inside ``config``/``context`` as ``Decimal`` (as JSON decoding
gives them). Sans-I/O: no sockets, no asyncio, no Qt.
"""

from __future__ import annotations

import functools
import math
from collections.abc import MutableSequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from google.protobuf.descriptor import Descriptor
from google.protobuf.message import DecodeError
from google.protobuf.message import Message as ProtoMessage
from pydantic import ValidationError

from orban_desktop.errors import MessageTooLarge, ProtocolError, UnknownMessageType
from orban_desktop.money import Money
from orban_desktop.protocol import orban_pb2
from orban_desktop.protocol.binary_fields import (
    DECIMAL_SUFFIX,
    F64_SUFFIX,
    FIELD_RULES,
    FieldRule,
    is_companion,
)
from orban_desktop.protocol.codec import MAX_FRAME_BYTES, _describe
from orban_desktop.protocol.messages import MESSAGE_CLASSES, Message
from orban_desktop.protocol.numbers import F32, format_f32
from orban_desktop.protocol.timestamps import NANOS, WireTime
from orban_desktop.protocol.types import WireModel

#: Model fields carried by the envelope, not by the payload message.
_ENVELOPE_FIELDS = frozenset({"message_id", "timestamp"})

#: ``Message.payload`` oneof member -> model class (``AUTH_CHALLENGE`` -> ``auth_challenge``).
_CLASS_BY_MEMBER: dict[str, type[Message]] = {
    kind.value.lower(): cls for kind, cls in MESSAGE_CLASSES.items()
}


# ---------------------------------------------------------------- encoding
def _scalar(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, WireTime):
        return value.rfc3339_z()
    return value


#: Value types protobuf takes as they are (StrEnum and WireTime are not among them).
_PLAIN_TYPES = frozenset({str, int, bool, float, F32})


@functools.cache
def _write_plan(
    model_class: type[WireModel], descriptor: Descriptor, skip: frozenset[str]
) -> tuple[tuple[str, FieldRule | None, str | None], ...]:
    """Per model field: its name, its special rule if any, and its ``*_f64`` companion if any."""
    names = descriptor.fields_by_name
    return tuple(
        (
            name,
            FIELD_RULES.get(f"{descriptor.name}.{name}"),
            name + F64_SUFFIX if name + F64_SUFFIX in names else None,
        )
        for name in model_class.model_fields
        if name not in skip
    )


def _write(model: WireModel, pb: ProtoMessage, skip: frozenset[str] = frozenset()) -> None:
    """Copy every field of ``model`` into ``pb``, the protobuf message of the same shape."""
    for name, rule, f64_name in _write_plan(type(model), pb.DESCRIPTOR, skip):
        if rule is not None:
            rule.put(model, pb, name)
            continue
        value = getattr(model, name)
        if type(value) in _PLAIN_TYPES:
            setattr(pb, name, value)
            if f64_name is not None:
                setattr(pb, f64_name, value)
        elif value is None:
            continue  # an Option<T> left unset: reads back as None
        elif isinstance(value, WireModel):
            sub = getattr(pb, name)
            sub.SetInParent()  # present even when every field is a default
            _write(value, sub)
        elif isinstance(value, list):
            container = getattr(pb, name)
            for item in value:
                if isinstance(item, WireModel):
                    _write(item, container.add())
                else:
                    container.append(_scalar(item))
        elif isinstance(value, Money):
            setattr(pb, name, float(value.decimal))
            setattr(pb, name + DECIMAL_SUFFIX, value.text)
        else:
            setattr(pb, name, _scalar(value))


def encode_binary(message: Message) -> bytes:
    """The binary frame for ``message``: a serialized ``orban.protocol.v1.Message``.

    Raises:
        ProtocolError: The frame would exceed ``MAX_FRAME_BYTES``, the timestamp is before
            1970 (upstream's ``uint64`` seconds cannot hold it), or a text field that travels
            as bytes (base64 signature, hex hash, PoW nonce) does not decode.
    """
    kind = message.TYPE.value
    stamp = message.timestamp
    if stamp.ns < 0:
        raise ProtocolError(f"cannot encode {kind}: its timestamp {stamp} is before 1970")
    try:
        envelope = orban_pb2.Message(
            message_id=message.message_id, timestamp=stamp.seconds, timestamp_nanos=stamp.nanos
        )
        payload = getattr(envelope, kind.lower())
        payload.SetInParent()
        _write(message, payload, skip=_ENVELOPE_FIELDS)
        if "timestamp" in payload.DESCRIPTOR.fields_by_name:
            payload.timestamp = stamp.seconds  # upstream's payload copy; ignored on decode
        data = envelope.SerializeToString()
    except (ValueError, TypeError, OverflowError) as exc:  # UnicodeEncodeError is a ValueError
        raise ProtocolError(f"cannot encode {kind} as a binary frame: {exc}") from exc
    if len(data) > MAX_FRAME_BYTES:
        raise ProtocolError(
            f"{kind} frame is {len(data)} bytes, over the {MAX_FRAME_BYTES}-byte limit",
            context={"size": len(data)},
        )
    return data


# ---------------------------------------------------------------- decoding
@dataclass(frozen=True, slots=True)
class _Slot:
    """How to read one non-companion field of a protobuf message type."""

    name: str
    rule: FieldRule | None
    is_message: bool
    has_presence: bool
    is_money: bool  # has a *_decimal companion
    f64_name: str | None  # its *_f64 companion, if any


@functools.cache
def _slots(descriptor: Descriptor) -> tuple[_Slot, ...]:
    names = frozenset(descriptor.fields_by_name)
    return tuple(
        _Slot(
            name=field.name,
            rule=FIELD_RULES.get(f"{descriptor.name}.{field.name}"),
            is_message=field.message_type is not None,
            has_presence=field.has_presence,
            is_money=field.name + DECIMAL_SUFFIX in names,
            f64_name=field.name + F64_SUFFIX if field.name + F64_SUFFIX in names else None,
        )
        for field in descriptor.fields
        if not is_companion(field.name, names)
    )


def _money_text(pb: ProtoMessage, slot: _Slot) -> str | None:
    """The exact ``*_decimal`` text; else the upstream float's shortest f32 text; else None."""
    text: str = getattr(pb, slot.name + DECIMAL_SUFFIX)
    if text:
        return text
    if slot.has_presence and not pb.HasField(slot.name):
        return None
    value: float = getattr(pb, slot.name)
    if not math.isfinite(value):
        raise ValueError(f"{slot.name} is {value}, not an amount")
    return format_f32(value)


def _read(pb: ProtoMessage) -> dict[str, Any]:
    """The fields of ``pb`` as plain values for ``model_validate``.

    An absent sub-message is left out, so validation names it as missing; an unset ``optional``
    scalar is ``None``; companions are read with their upstream field, never on their own.
    """
    out: dict[str, Any] = {}
    for slot in _slots(pb.DESCRIPTOR):
        name = slot.name
        if slot.rule is not None:
            out[name] = slot.rule.get(pb, name)
            continue
        value = getattr(pb, name)
        if isinstance(value, MutableSequence):
            out[name] = [_read(v) if isinstance(v, ProtoMessage) else v for v in value]
        elif slot.is_message:
            if pb.HasField(name):
                out[name] = _read(value)
        elif slot.is_money:
            out[name] = _money_text(pb, slot)
        elif slot.has_presence and not pb.HasField(name):
            out[name] = None
        elif slot.f64_name is not None and pb.HasField(slot.f64_name):
            out[name] = getattr(pb, slot.f64_name)
        else:
            out[name] = value
    return out


def decode_binary(data: bytes, max_bytes: int = MAX_FRAME_BYTES) -> Message:
    """Decode one binary frame into its message model.

    Raises:
        ProtocolError: Oversized, not a valid ``orban.protocol.v1.Message``, no (or an unknown)
            payload, or a field that is missing, of the wrong form or out of range.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ProtocolError("expected a binary frame, got text: the session negotiated `binary`")
    if len(data) > max_bytes:
        raise MessageTooLarge(f"frame of {len(data)} bytes is over the {max_bytes}-byte limit")
    envelope = orban_pb2.Message()
    try:
        envelope.ParseFromString(bytes(data))
    except (DecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"binary frame is not an orban.protocol.v1.Message: {exc}") from exc
    member = envelope.WhichOneof("payload")
    if member is None:
        raise UnknownMessageType(
            "binary frame carries no message, or one of a type this agent lacks"
        )
    cls = _CLASS_BY_MEMBER[member]
    try:
        fields = _read(getattr(envelope, member))
        if envelope.timestamp_nanos >= NANOS:
            raise ValueError(f"timestamp_nanos {envelope.timestamp_nanos} is not below 1e9")
        fields["message_id"] = envelope.message_id
        fields["timestamp"] = WireTime(envelope.timestamp * NANOS + envelope.timestamp_nanos)
        return cls.model_validate(fields)
    except ValidationError as exc:
        raise ProtocolError(f"invalid {cls.TYPE.value}: {_describe(exc)}") from exc
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise ProtocolError(f"invalid {cls.TYPE.value}: {str(exc)[:200]}") from exc
