"""Sandboxes that run one vetted workload: Docker (``docker.py``) or a process (``process.py``).

``base.py`` holds the shared interface and data (``Sandbox``, ``SandboxJob``, ``SandboxRun``),
``docker_config.py`` the hardened container settings, and ``select.py`` picks a sandbox per task
from the owner's policy. Nothing in this package imports Qt.
"""
