"""What the PyInstaller bundle leaves out of Qt, and debug symbols stripped; used by the spec.

``packaging/orban-agent.spec`` calls :func:`trim` on the GUI's Analysis: it drops the Qt
plugins, libraries and translations the app does not use (see the tables below), then the
shared libraries that only those dropped plugins needed (found by walking the dependencies of
what is dropped and of what is kept, with PyInstaller's own ``bindepend``), so that e.g.
dropping the GTK platform theme also drops the copies of GTK's Pango, Cairo and GIO. On Linux,
:func:`strip_debug_info` replaces binaries that carry DWARF debug sections (a libpython built
from source, as pyenv's, has 17 MB) with copies stripped of those sections only; a full
``strip`` is not used, as it breaks libraries that ``patchelf`` edited (numpy's OpenBLAS then
fails to load). Runs at build time only, inside PyInstaller; imports nothing from the app and
nothing from Qt.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

#: A PyInstaller TOC entry: (destination in the bundle, source file, type code).
TocEntry = tuple[str, str, str]

#: Qt plugins kept, by folder; a folder not listed is dropped whole, ``None`` keeps a folder
#: whole. xcb and wayland draw the window, offscreen runs it without a display (minimal is a
#: last resort); the desktop portal gives native file dialogs (the GTK theme is left out: it
#: loads the host's GTK against bundled copies of GLib, Pango and Cairo, and the app draws its
#: own light and dark palettes); compose and ibus give input methods (CJK typing); the SVG
#: plugins read the desktop's icon theme; windows/cocoa and styles are for the other systems.
KEPT_QT_PLUGINS: dict[str, frozenset[str] | None] = {
    "platforms": frozenset({"qxcb", "qwayland", "qoffscreen", "qminimal", "qwindows", "qcocoa"}),
    "platformthemes": frozenset({"qxdgdesktopportal"}),
    "platforminputcontexts": frozenset(
        {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"}
    ),
    "iconengines": frozenset({"qsvgicon"}),
    "imageformats": frozenset({"qsvg", "qico"}),
    "xcbglintegrations": None,
    "wayland-decoration-client": None,
    "wayland-graphics-integration-client": None,
    "wayland-shell-integration": None,
    "styles": None,
}
#: Qt libraries only unused modules and plugins need (matched with or without ``lib``).
UNUSED_QT_LIBRARIES = re.compile(
    r"^(lib)?Qt6(Quick|Qml|Pdf|VirtualKeyboard|WaylandCompositor|EglF[Ss]|Designer|LabsStyleKit|"
    r"Test|PrintSupport|Sql|ShaderTools|Multimedia|WebEngine|Charts|3D)"
)
#: TOC type codes of files the dynamic loader reads (not symlinks or data).
_LOADABLE = frozenset({"BINARY", "EXTENSION"})
#: Single files never needed: Windows' 20 MB software OpenGL (the widgets draw without GL).
UNUSED_FILES = frozenset({"opengl32sw.dll"})


def _plugin_kept(dest: PurePosixPath) -> bool:
    parts = dest.parts
    folder = parts[parts.index("plugins") + 1] if parts.index("plugins") + 1 < len(parts) else ""
    if folder not in KEPT_QT_PLUGINS:
        return False
    kept = KEPT_QT_PLUGINS[folder]
    stem = re.sub(r"^lib|\.(so|dll|dylib)$", "", dest.name)
    return kept is None or stem in kept


def is_kept(dest: str, languages: Iterable[str]) -> bool:
    """Whether a bundle file stays, by its destination path.

    Args:
        dest: Its path inside the bundle's ``_internal`` folder (either slash).
        languages: The UI's languages besides English (``zh_TW``): Qt's ``qtbase_<lang>.qm``
            is kept for these, and every other Qt translation dropped.
    """
    path = PurePosixPath(dest.replace("\\", "/"))
    if path.name in UNUSED_FILES or UNUSED_QT_LIBRARIES.match(path.name):
        return False
    in_qt = path.parts[:1] == ("PySide6",)
    if in_qt and "plugins" in path.parts:  # PySide6/Qt/plugins/, or PySide6/plugins/ on Windows
        return _plugin_kept(path)
    if in_qt and "translations" in path.parts:
        return path.name in {f"qtbase_{language}.qm" for language in languages}
    return True


def _dependencies(sources: Iterable[str]) -> set[str]:
    """File names of every library the ``sources`` load, directly or through each other."""
    from PyInstaller.depend import bindepend  # type: ignore[import-untyped]

    names: set[str] = set()
    queue, seen = list(sources), set()
    while queue:
        source = queue.pop()
        if source in seen:
            continue
        seen.add(source)
        for name, resolved in bindepend.get_imports(source):
            names.add(PurePosixPath(name.replace("\\", "/")).name)
            if resolved:
                queue.append(resolved)
    return names


def trim(binaries: list[TocEntry], languages: Iterable[str]) -> list[TocEntry]:
    """``binaries`` without unused Qt parts and without libraries only those parts needed."""
    languages = tuple(languages)
    kept = [entry for entry in binaries if is_kept(entry[0], languages)]
    dropped = [entry for entry in binaries if not is_kept(entry[0], languages)]
    only_dropped = _dependencies(source for _, source, code in dropped if code in _LOADABLE)
    roots = [entry for entry in kept if PurePosixPath(entry[0]).name not in only_dropped]
    needed = _dependencies(source for _, source, code in roots if code in _LOADABLE)
    orphans = only_dropped - needed
    return [entry for entry in kept if PurePosixPath(entry[0]).name not in orphans]


def _has_debug_info(path: str, readelf: str) -> bool:
    try:
        sections = subprocess.run(
            [readelf, "-S", "-W", path], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return False
    return ".debug_info" in sections


def strip_debug_info(binaries: list[TocEntry], work_dir: Path) -> tuple[list[TocEntry], int]:
    """Point binaries that carry debug sections at copies without them (Linux, binutils).

    Returns:
        The new TOC, and the bytes saved (0 when ``strip``/``readelf`` are not installed).
    """
    strip, readelf = shutil.which("strip"), shutil.which("readelf")
    if strip is None or readelf is None:
        return binaries, 0
    result: list[TocEntry] = []
    saved = 0
    for dest, source, typecode in binaries:
        if typecode not in _LOADABLE or not _has_debug_info(source, readelf):
            result.append((dest, source, typecode))
            continue
        target = work_dir / "stripped" / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([strip, "--strip-debug", "-o", str(target), source], check=True)
        saved += Path(source).stat().st_size - target.stat().st_size
        result.append((dest, str(target), typecode))
    return result, saved
