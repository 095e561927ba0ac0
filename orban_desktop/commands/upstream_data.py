"""Finding what an upstream (Rust) agent left on this computer: config, identity key, earnings.

The upstream agent keeps ``config.toml`` and ``agent.key`` in its data folder
(``~/.local/share/agent`` on Linux, see
:func:`orban_desktop.config.paths.upstream_data_dirs`) and writes
``earnings.json`` to a sibling ``orban-agent`` folder (``dirs::data_local_dir()/orban-agent``).
:func:`find_upstream_data` looks in given folders (or upstream's usual ones) and reads the config
to follow its own ``private_key_path`` and ``data_dir`` when they exist here. Reads files only;
writes nothing. Imports ``config``, ``errors`` and ``paths`` from the project, never Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orban_desktop.config import AgentConfig
from orban_desktop.config.paths import upstream_data_dirs
from orban_desktop.errors import ConfigError

CONFIG_NAME = "config.toml"
KEY_NAME = "agent.key"
EARNINGS_NAME = "earnings.json"
#: Where upstream's earnings tracker writes, beside its data folder.
EARNINGS_FOLDER = "orban-agent"


class UpstreamDataNotFound(ConfigError):
    """No upstream config, key or earnings file where we looked."""

    title = "Nothing to import"


@dataclass(frozen=True)
class UpstreamData:
    """What was found (``None``: not found) and the upstream config, read (not yet ours)."""

    config_file: Path | None
    config: AgentConfig | None
    key_file: Path | None
    earnings_file: Path | None

    @property
    def found_anything(self) -> bool:
        return any((self.config_file, self.key_file, self.earnings_file))


def candidate_folders(sources: Sequence[Path]) -> list[Path]:
    """Folders to search: each given folder and its sibling ``orban-agent``; else upstream's."""
    if not sources:
        return upstream_data_dirs()
    folders: list[Path] = []
    for source in sources:
        folders += [source, source.parent / EARNINGS_FOLDER]
    return list(dict.fromkeys(folders))


def _first(folders: Sequence[Path], name: str) -> Path | None:
    return next((folder / name for folder in folders if (folder / name).is_file()), None)


def _usable(path: Path | None) -> Path | None:
    """An absolute path from the upstream config, if it names something on this computer."""
    if path is None:
        return None
    expanded = path.expanduser()
    return expanded if expanded.is_absolute() and expanded.exists() else None


def find_upstream_data(sources: Sequence[Path]) -> UpstreamData:
    """Locate upstream's files.

    Args:
        sources: Folders the user named (an ``earnings.json`` file may be named directly);
            empty: upstream's usual folders on this platform.

    Raises:
        UpstreamDataNotFound: Nothing to import in any of the folders.
        ConfigError: The upstream config cannot be read or has invalid settings.
    """
    files = [source for source in sources if source.is_file()]
    if files:  # a file is an earnings.json (or an export of one): earnings only
        if len(files) != len(sources) or len(files) > 1:
            raise UpstreamDataNotFound(
                "Name either one earnings.json file or upstream data folders, not both."
            )
        return UpstreamData(None, None, None, files[0])
    folders = candidate_folders(sources)
    config_file = _first(folders, CONFIG_NAME)
    config = AgentConfig.load(config_file) if config_file is not None else None
    key_file: Path | None = None
    earnings_file: Path | None = None
    if config is not None and config_file is not None:
        key_file = _usable(config.agent.private_key_path)
        if key_file is None and (config_file.parent / KEY_NAME).is_file():
            key_file = config_file.parent / KEY_NAME
        data_dir = _usable(config.agent.data_dir)
        if data_dir is not None and (data_dir / EARNINGS_NAME).is_file():
            earnings_file = data_dir / EARNINGS_NAME
    key_file = key_file or _first(folders, KEY_NAME)
    earnings_file = earnings_file or _first(folders, EARNINGS_NAME)
    found = UpstreamData(config_file, config, key_file, earnings_file)
    if not found.found_anything:
        where = "\n".join(f"  {folder}" for folder in folders)
        raise UpstreamDataNotFound(
            f"No {CONFIG_NAME}, {KEY_NAME} or {EARNINGS_NAME} of an upstream agent in:\n{where}\n"
            "Name the folder that holds them: `orban-agent import DIR`.",
            context={"searched": [str(folder) for folder in folders]},
        )
    return found
