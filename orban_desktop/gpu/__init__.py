"""Everything the agent knows about the machine's GPUs: devices, readers, detector, proof of work.

Import the submodules you need (``gpu.detector``, ``gpu.pow``, ...): this package file stays
empty so that PoW worker processes, which import ``gpu.pow_worker``, start without loading NVML
or any reader. Nothing under ``gpu/`` imports Qt, the config module or the protocol messages;
the only project imports are ``orban_desktop.errors`` and ``orban_desktop.protocol.enums``.
"""
