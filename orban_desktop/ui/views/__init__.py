"""The main window's pages: overview, GPUs, tasks, earnings, logs and settings (Qt only)."""
