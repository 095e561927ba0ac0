"""How the task and earnings services reach an agent: by agent id, through its one session.

:class:`Mail` is implemented by the platform core (``hub.py``), which knows the session of each
agent id; services depend on this protocol only, so they can be driven in tests without sockets.
``send`` and ``deliver`` reach registered sessions only (a frame for an agent that is away is
simply not sent; what must arrive is re-sent after its next REGISTER_ACK); ``error`` and ``ack``
answer whatever session the agent has. Imports only the protocol and ``session.Delivery``.
"""

from __future__ import annotations

from typing import Any, Protocol

from orban_desktop.protocol.enums import Extension
from orban_desktop.protocol.messages import Message
from orban_platform.session import Delivery


class Mail(Protocol):
    def send(self, agent_id: str, message: Message) -> bool:
        """Send to the agent's registered session; ``False`` when it has none."""
        ...

    def deliver(self, agent_id: str, message: Message, delivery: Delivery, now: float) -> bool:
        """Send a frame whose delivery is tracked (ACK, or a heartbeat interval survived)."""
        ...

    def error(
        self,
        agent_id: str,
        code: str,
        text: str,
        recoverable: bool,
        context: dict[str, Any] | None = None,
    ) -> None:
        """Send ERROR to the agent's session, if it has one."""
        ...

    def ack(self, agent_id: str, message_id: str) -> None:
        """Send ACK for ``message_id`` if the agent negotiated ``ack``."""
        ...

    def uses(self, agent_id: str, extension: Extension) -> bool:
        """Whether the agent's current session negotiated ``extension``."""
        ...

    def extended(self, agent_id: str) -> bool:
        """Whether the agent's current session negotiated any extension at all."""
        ...
