"""What only the headless agent has: its run loop, the pid and status files, the metrics endpoint.

``run`` (:func:`~orban_desktop.headless.run.run_headless`) runs the agent on a plain asyncio loop
for rigs and servers; ``status_file`` reads and writes the pid file and ``status.json`` that
``orban-agent status`` and ``stop`` use; ``status_writer`` keeps that file current;
``prometheus`` serves the same snapshot as Prometheus metrics. This package imports nothing from
Qt, and importing it (or ``status_file``) loads none of the agent's heavy parts.
"""
