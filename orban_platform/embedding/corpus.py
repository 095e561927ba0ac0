"""Real sentences found on every machine: Python's standard-library docstrings and, on Debian,
the licence texts in ``/usr/share/common-licenses``.

:func:`load_corpus` reads a fixed list of standard-library modules (nothing is imported or
run). Parsing whole modules with :mod:`ast` takes over a second, so the docstrings (the string
that opens a module or follows a ``def``/``class`` line) are found with one regular expression
and each is read with :func:`ast.literal_eval` and cleaned as :func:`ast.get_docstring` would.
Prose paragraphs (not code, doctests, or indented lists) of the docstrings and the licences are
split into sentences of 20 to 300 characters; duplicates are dropped and the order is stable,
so a machine always makes the same corpus. Blocking file reading (a fraction of a second).
"""

from __future__ import annotations

import ast
import inspect
import re
import sysconfig
from collections.abc import Iterator
from pathlib import Path

_MODULES = (
    "argparse", "asyncio/base_events", "asyncio/events", "asyncio/locks", "asyncio/queues",
    "asyncio/streams", "asyncio/tasks", "base64", "bdb", "bisect", "calendar", "cmd", "codecs",
    "collections/__init__", "concurrent/futures/_base", "configparser", "contextlib", "copy",
    "csv", "dataclasses", "datetime", "decimal", "difflib", "doctest", "email/message",
    "email/utils", "enum", "filecmp", "fileinput", "fnmatch", "fractions", "ftplib", "functools",
    "getopt", "gettext", "glob", "gzip", "hashlib", "heapq", "hmac", "html/parser",
    "http/client", "http/cookiejar", "http/server", "imaplib", "inspect", "ipaddress",
    "json/__init__", "json/decoder", "json/encoder", "locale", "logging/__init__",
    "logging/handlers", "mailbox", "mimetypes", "netrc", "numbers", "operator", "optparse",
    "os", "pathlib", "pdb", "pickle", "pkgutil", "platform", "poplib", "pprint", "queue",
    "quopri", "random", "re/__init__", "sched", "secrets", "selectors", "shelve", "shlex",
    "shutil", "smtplib", "socket", "socketserver", "statistics", "string", "subprocess",
    "tarfile", "tempfile", "textwrap", "threading", "timeit", "tokenize", "trace", "traceback",
    "typing", "unittest/case", "unittest/mock", "urllib/parse", "urllib/request", "uuid",
    "warnings", "wave", "weakref", "zipfile",
)  # fmt: skip
_LICENSES = Path("/usr/share/common-licenses")
#: A string literal that opens the file or follows a line ending in ':' (def, class...).
_DOCSTRING = re.compile(
    r"""(?:\A(?:[ \t]*(?:\#[^\n]*)?\n)*|:[ \t]*(?:\#[^\n]*)?\n)[ \t]*"""
    r"""((?:[rRuU])?(?:\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''))""",
    re.DOTALL,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|etc|cf|vs|approx|No|Sec|Fig)|\b[A-Z])\.$")
_NOT_LETTER = re.compile(r"[\W\d_]")
_MIN_CHARS, _MAX_CHARS = 20, 300


def _paragraphs(text: str) -> Iterator[str]:
    """The prose paragraphs of a cleaned text, each on one line."""
    for block in re.split(r"\n[ \t]*\n", text):
        lines = block.strip("\n").splitlines()
        if not lines or any(line[:1].isspace() or line.startswith((">>>", "..")) for line in lines):
            continue  # code, doctests, directives, indented argument lists
        yield " ".join(" ".join(lines).split())


def _sentences(paragraph: str) -> Iterator[str]:
    pieces: list[str] = []
    for piece in _SENTENCE_END.split(paragraph):
        if pieces and _ABBREVIATION.search(pieces[-1]):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    for sentence in pieces:
        if (
            _MIN_CHARS <= len(sentence) <= _MAX_CHARS
            and sentence[0].isupper()
            and sentence[-1] in ".!?"
            and " " in sentence
            and len(_NOT_LETTER.findall(sentence)) - sentence.count(" ") <= 0.2 * len(sentence)
        ):
            yield sentence


def _docstrings(path: Path) -> Iterator[str]:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    for match in _DOCSTRING.finditer(source):
        try:
            value = ast.literal_eval(match.group(1))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        if isinstance(value, str):
            yield inspect.cleandoc(value)


def _texts() -> Iterator[str]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for name in _MODULES:
        yield from _docstrings(stdlib / f"{name}.py")
    if _LICENSES.is_dir():
        for path in sorted(_LICENSES.iterdir()):
            try:
                yield path.read_text(encoding="utf-8", errors="replace")
            except OSError:  # a folder, or unreadable
                continue


def load_corpus(max_sentences: int = 20_000) -> list[str]:
    """Distinct real English sentences, in a stable order (at most ``max_sentences``)."""
    seen: dict[str, None] = {}
    for text in _texts():
        for paragraph in _paragraphs(text):
            for sentence in _sentences(paragraph):
                seen.setdefault(sentence)
                if len(seen) >= max_sentences:
                    return list(seen)
    return list(seen)
