"""Whether the owner is at the computer: keyboard and mouse idle time, behind one interface.

:class:`~orban_desktop.presence.idle.IdleClock` is the interface (``idle_seconds()`` or ``None``
when it cannot tell); :func:`~orban_desktop.presence.idle.find_idle_clock` picks the one this
session offers: the X11 XScreenSaver extension (``x11.py``), the GNOME / freedesktop idle monitor
over D-Bus on Wayland (``dbus.py``), ``GetLastInputInfo`` on Windows and ``HIDIdleTime`` from
``ioreg`` on macOS (``native.py``). When none answers, :class:`NoIdleClock` says why in words.
:class:`~orban_desktop.presence.away.AwayWatch` turns idle time into "away" / "back" with the
owner's N minutes. Every read blocks briefly (a library call or a subprocess), so the agent calls
them in a thread. Imports nothing from Qt and nothing else of the project but ``errors``.
"""
