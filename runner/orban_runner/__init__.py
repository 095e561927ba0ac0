"""The Orban runner: runs one task's real model work on the device the agent assigned.

A small distribution of its own (``orban-runner``), installed in the runner image and in runner
environments. It imports nothing of the agent, and the agent never imports it: the command line
(``python -m orban_runner embed ...``, see ``docs/runner.md``) is the whole contract. It never
downloads anything (``HF_HUB_OFFLINE=1``) and never computes on the CPU when a GPU was asked for.
"""

__version__ = "0.1.0"
