"""The desktop face of the agent: the only package (with ``app.py``) that imports Qt.

PySide6 widgets, pyqtgraph charts and the qasync loop live here. The views read the core's
events through :mod:`orban_desktop.ui.bridge` and act on the agent through the narrow API of
:class:`orban_desktop.agent.host.AgentHost`; nothing below ``ui/`` imports this package.
"""
