"""The layers, as a table of allowed imports: the core never imports Qt or the UI, the platform
never imports the agent, and no lower layer imports a higher one (STYLE.md rule 1).

Each top-level part of ``orban_desktop`` (a subpackage or a module) and the ``orban_platform``
package are one row of :data:`ALLOWED`: the parts it may import. Every ``import`` and ``from …
import`` counts, also those inside functions and under ``TYPE_CHECKING``. A part missing from the
table is an error too, so a new package gets its row on purpose.
"""

from __future__ import annotations

import ast
from pathlib import Path

import orban_desktop
import orban_platform

DESKTOP = Path(orban_desktop.__file__).resolve().parent
PLATFORM = Path(orban_platform.__file__).resolve().parent
QT_MODULES = ("PySide6", "qasync", "pyqtgraph", "shiboken6")
#: Where Qt may be imported.
QT_ALLOWED = ("ui", "app")

_BASE = frozenset({"errors", "money", "fsutil", "netaddr", "heap"})
_CORE = _BASE | {
    "protocol", "gpu", "storage", "network", "events", "logging_setup", "config", "compute",
    "earnings", "presence",
}  # fmt: skip
#: part -> the parts it may import (``__init__`` is the package's version and name).
ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "money": frozenset(),
    "fsutil": frozenset(),
    "netaddr": frozenset(),
    "heap": frozenset(),
    "protocol": frozenset({"errors", "money", "fsutil"}),
    "gpu": frozenset({"errors", "protocol"}),
    "storage": frozenset({"errors"}),
    "presence": frozenset(),
    "network": frozenset({"errors", "protocol", "fsutil"}),
    "events": frozenset({"gpu", "errors", "protocol"}),
    "logging_setup": frozenset({"events"}),
    "config": _BASE | {"protocol"},
    "compute": _BASE | {"protocol", "events", "gpu"},
    "earnings": _BASE | {"protocol", "storage"},
    "agent": _CORE | {"orban_platform"},
    "headless": _CORE | {"agent", "orban_platform", "__init__"},
    "commands": _CORE | {"agent", "headless", "orban_platform", "__init__"},
    "cli": frozenset({"commands", "errors", "__init__"}),
    "ui": _CORE | {"agent", "headless", "orban_platform", "__init__"},
    "app": _CORE | {"agent", "ui", "__init__"},
    "__init__": frozenset(),
    "orban_platform": frozenset({"errors", "money", "protocol"}),
}


def part_of(module: str) -> str | None:
    """The table row a module belongs to, or ``None`` when it is not ours."""
    head, _, rest = module.partition(".")
    if head == "orban_platform":
        return "orban_platform"
    if head != "orban_desktop":
        return None
    return rest.split(".")[0] if rest else "__init__"


def imported_modules(source: str, filename: str = "<source>") -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def violations(part: str, source: str, where: str) -> list[str]:
    """What in ``source`` (a file of ``part``) breaks the table."""
    if part not in ALLOWED:
        return [f"{where}: part {part!r} has no row in ALLOWED"]
    found = []
    for name in sorted(imported_modules(source, where)):
        if name.split(".")[0] in QT_MODULES and part not in QT_ALLOWED:
            found.append(f"{where} imports Qt ({name})")
        target = part_of(name)
        if target is not None and target != part and target not in ALLOWED[part]:
            found.append(f"{where} ({part}) imports {name} ({target})")
    return found


def _our_files() -> list[tuple[str, Path, str]]:
    files = []
    for path in sorted(DESKTOP.rglob("*.py")):
        relative = path.relative_to(DESKTOP)
        files.append((relative.parts[0].removesuffix(".py"), path, f"orban_desktop/{relative}"))
    for path in sorted(PLATFORM.rglob("*.py")):
        files.append(("orban_platform", path, f"orban_platform/{path.relative_to(PLATFORM)}"))
    return files


def test_every_import_follows_the_table() -> None:
    offenders = []
    for part, path, where in _our_files():
        offenders += violations(part, path.read_text(encoding="utf-8"), where)
    assert offenders == []


def test_the_table_has_no_cycle() -> None:
    """A lower layer never imports a higher one: the allowed imports form no loop."""
    done: set[str] = set()

    def visit(part: str, trail: tuple[str, ...]) -> None:
        assert part not in trail, " -> ".join((*trail, part))
        if part in done:
            return
        for target in ALLOWED[part]:
            visit(target, (*trail, part))
        done.add(part)

    for part in ALLOWED:
        visit(part, ())


def test_a_forbidden_import_is_caught() -> None:
    assert violations("agent", "import PySide6.QtCore\n", "agent/x.py") == [
        "agent/x.py imports Qt (PySide6.QtCore)"
    ]
    assert violations("orban_platform", "from orban_desktop.agent import host\n", "p.py") == [
        "p.py (orban_platform) imports orban_desktop.agent (agent)"
    ]
    lower = "def f():\n    from orban_desktop.ui.bridge import Bridge\n"
    assert violations("protocol", lower, "protocol/x.py") == [
        "protocol/x.py (protocol) imports orban_desktop.ui.bridge (ui)"
    ]
    assert violations("newpart", "", "newpart/x.py") == [
        "newpart/x.py: part 'newpart' has no row in ALLOWED"
    ]
    assert violations("ui", "import PySide6\nfrom orban_desktop.agent import host\n", "u") == []
