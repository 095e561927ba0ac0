"""The core never imports Qt: only ``orban_desktop/ui/`` and ``app.py`` may (STYLE.md rule 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import orban_desktop

PACKAGE = Path(orban_desktop.__file__).resolve().parent
QT_MODULES = ("PySide6", "qasync", "pyqtgraph", "shiboken6")
ALLOWED = ("ui/", "app.py")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_qt_outside_the_ui_layer() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(ALLOWED):
            continue
        for name in _imported_modules(path):
            if name.split(".")[0] in QT_MODULES:
                offenders.append(f"{relative} imports {name}")
    assert offenders == []


def test_the_core_never_imports_the_ui_layer() -> None:
    offenders = [
        path.relative_to(PACKAGE).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if not path.relative_to(PACKAGE).as_posix().startswith(ALLOWED)
        and any(n.startswith("orban_desktop.ui") for n in _imported_modules(path))
    ]
    assert offenders == []
