"""One session's frame codec: JSON text frames, or protobuf binary frames under ``binary``.

The WebSocket subprotocol picks the framing for the whole session: ``agent.orban.v1`` is
upstream's JSON text, ``agent.orban.v1+proto`` (our extension ``binary``) is one protobuf
``orban.protocol.v1.Message`` per binary frame. A frame of the other kind is a protocol error.
Sans-I/O: no sockets, no asyncio, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

from orban_desktop.errors import ProtocolError
from orban_desktop.protocol.binary import decode_binary, encode_binary
from orban_desktop.protocol.codec import MAX_FRAME_BYTES, decode_json, encode_json
from orban_desktop.protocol.messages import Message

SUBPROTOCOL_JSON = "agent.orban.v1"
SUBPROTOCOL_BINARY = "agent.orban.v1+proto"


@dataclass(frozen=True)
class FrameCodec:
    """Encodes and decodes the frames of one session (``binary`` fixed by the subprotocol)."""

    binary: bool = False
    max_bytes: int = MAX_FRAME_BYTES

    @classmethod
    def for_subprotocol(cls, subprotocol: str | None) -> FrameCodec:
        return cls(binary=subprotocol == SUBPROTOCOL_BINARY)

    @property
    def subprotocol(self) -> str:
        return SUBPROTOCOL_BINARY if self.binary else SUBPROTOCOL_JSON

    def encode(self, message: Message) -> str | bytes:
        return encode_binary(message) if self.binary else encode_json(message)

    def decode(self, frame: str | bytes) -> Message:
        """Decode one frame; raises ``ProtocolError`` (and nothing else) for any bad input."""
        if self.binary:
            if not isinstance(frame, bytes):
                raise ProtocolError("a text frame arrived on a binary (protobuf) session")
            return decode_binary(frame, self.max_bytes)
        if not isinstance(frame, str):
            raise ProtocolError("a binary frame arrived on a JSON text session")
        return decode_json(frame, self.max_bytes)
