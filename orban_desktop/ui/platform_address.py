"""What the owner types as a platform address, completed to a URL the settings accept.

:func:`complete_platform_url` adds ``wss://`` to a bare host name (``platform.example.com``,
``host:8740``), so nobody has to know the scheme; anything with a scheme is left for the
settings' own rules (:func:`orban_desktop.config.normalize_platform_url`), which still refuse
plain ``ws://``/``http://`` to a host other than this computer. Used by the first-run wizard and
the Settings page. Imports nothing from Qt.
"""

from __future__ import annotations


def complete_platform_url(text: str) -> str:
    """``"platform.example.com"`` -> ``"wss://platform.example.com"``; a URL stays as it is."""
    address = text.strip()
    if not address or "://" in address:
        return address
    return "wss://" + address
