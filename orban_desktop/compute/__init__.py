"""Task execution: verified transfers, the model cache, the sandboxes and the executor.

The runtime uses :class:`TaskExecutor` (``prepare`` then ``execute``) with a
:class:`ModelCache`, a :class:`SandboxPolicy` and, from the GPU layer, a sampler returning
:class:`GpuSample`. The agent runs only the workloads it ships (``workloads/*.sh``, see
``orban_desktop/jobspec.py``). Nothing in this package imports Qt or the config module.
"""

from __future__ import annotations

from orban_desktop.compute.cache import ModelCache, ModelLease
from orban_desktop.compute.executor import WORKLOADS_DIR, TaskExecutor
from orban_desktop.compute.http import TransferSettings, create_http_session
from orban_desktop.compute.sandbox.base import GpuAssignment
from orban_desktop.compute.sandbox.select import SandboxPolicy, SandboxSelector
from orban_desktop.compute.task import GpuSample, PreparedTask, TaskOutcome, TaskStage
from orban_desktop.compute.workspace import remove_stale_task_folders

__all__ = [
    "WORKLOADS_DIR",
    "GpuAssignment",
    "GpuSample",
    "ModelCache",
    "ModelLease",
    "PreparedTask",
    "SandboxPolicy",
    "SandboxSelector",
    "TaskExecutor",
    "TaskOutcome",
    "TaskStage",
    "TransferSettings",
    "create_http_session",
    "remove_stale_task_folders",
]
