"""One app per user and settings folder: a second launch raises the first window and exits.

The first instance listens on a ``QLocalServer`` whose name is derived from the settings folder
(so a test or a portable install under another folder is a separate instance); a later launch
connects, says ``show`` and exits, and the first emits ``activated``. A server name left by a
crashed instance is removed before listening. Imports QtCore and QtNetwork.
"""

from __future__ import annotations

import getpass
import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

MESSAGE = b"show\n"


def instance_key(config_dir: Path) -> str:
    """A short server name unique to this user and settings folder."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    digest = hashlib.sha256(f"{user}\0{config_dir.resolve()}".encode()).hexdigest()[:16]
    return f"orban-desktop-{digest}"


class SingleInstance(QObject):
    """The single-instance guard; ``activated`` fires when another launch asks to be shown."""

    activated = Signal()

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.server: QLocalServer | None = None

    def ask_running_instance(self, timeout_ms: int = 800) -> bool:
        """Tell a running instance to show itself; ``True`` if one answered."""
        socket = QLocalSocket()
        socket.connectToServer(self.key)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(MESSAGE)
        socket.flush()
        socket.waitForBytesWritten(timeout_ms)
        socket.disconnectFromServer()
        return True

    def listen(self) -> bool:
        """Become the instance others find. ``False`` if the name cannot be taken."""
        QLocalServer.removeServer(self.key)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.key):
            return False
        server.newConnection.connect(self._accept)
        self.server = server
        return True

    def _accept(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(MESSAGE.strip()):
            self.activated.emit()

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
