"""The agent runtime: the orchestrator and its parts (result outbox, policy, telemetry, metrics)."""
