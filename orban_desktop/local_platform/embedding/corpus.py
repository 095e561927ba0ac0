"""Real sentences found on every machine: the docstrings of Python's standard library and, on
Debian, the licence texts in ``/usr/share/common-licenses``.

:func:`load_corpus` reads a fixed list of standard-library modules with :mod:`ast` (nothing is
imported or run), splits their docstrings and the licence files into sentences of 20 to 300
characters, drops duplicates and keeps a stable order, so a machine always makes the same
corpus. Blocking file reading: call it in a worker thread.
"""

from __future__ import annotations

import ast
import re
import sysconfig
from pathlib import Path

_MODULES = (
    "argparse",
    "asyncio/events",
    "asyncio/tasks",
    "base64",
    "bisect",
    "calendar",
    "collections/__init__",
    "configparser",
    "contextlib",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "email/message",
    "enum",
    "fractions",
    "ftplib",
    "functools",
    "gettext",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "http/client",
    "http/server",
    "imaplib",
    "inspect",
    "ipaddress",
    "json/__init__",
    "logging/__init__",
    "mailbox",
    "mimetypes",
    "netrc",
    "numbers",
    "optparse",
    "os",
    "pathlib",
    "pickle",
    "pprint",
    "queue",
    "random",
    "re/__init__",
    "secrets",
    "selectors",
    "shlex",
    "shutil",
    "smtplib",
    "socket",
    "statistics",
    "string",
    "subprocess",
    "tarfile",
    "tempfile",
    "textwrap",
    "threading",
    "timeit",
    "tokenize",
    "traceback",
    "typing",
    "unittest/case",
    "urllib/parse",
    "uuid",
    "warnings",
    "wave",
    "weakref",
    "zipfile",
)
_LICENSES = Path("/usr/share/common-licenses")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_MIN_CHARS, _MAX_CHARS = 20, 300


def _sentences(text: str) -> list[str]:
    flat = " ".join(text.split())
    found = []
    for piece in _SENTENCE_END.split(flat):
        piece = piece.strip()
        letters = sum(ch.isalpha() for ch in piece)
        if _MIN_CHARS <= len(piece) <= _MAX_CHARS and letters >= len(piece) // 2:
            found.append(piece)
    return found


def _docstrings(path: Path) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node)
            if doc:
                texts.append(doc)
    return texts


def load_corpus(max_sentences: int = 20_000) -> list[str]:
    """Distinct real sentences, in a stable order (at most ``max_sentences``)."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    texts: list[str] = []
    for name in _MODULES:
        texts += _docstrings(stdlib / f"{name}.py")
    if _LICENSES.is_dir():
        for path in sorted(_LICENSES.iterdir()):
            if path.is_file():
                try:
                    texts.append(path.read_text(encoding="utf-8", errors="replace"))
                except OSError:
                    continue
    seen: dict[str, None] = {}
    for text in texts:
        for sentence in _sentences(text):
            seen.setdefault(sentence)
            if len(seen) >= max_sentences:
                return list(seen)
    return list(seen)
