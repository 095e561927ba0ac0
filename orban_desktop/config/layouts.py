"""Config file layouts (ours, the seed's, upstream's) mapped onto ours; errors named by file key.

Three layouts reach :class:`orban_desktop.config.AgentConfig`: ours (what ``save()`` writes),
the seed document's (``[agent]``, ``[availability]``, ``[resources]``, ``[logging]``) and the
upstream Rust agent's (top-level ``agent_id``/``platform_url``/``private_key_path``/``data_dir``/
``log_level`` with ``[gpu]``, ``[network]``, ``[availability]``). :func:`to_canonical` detects the
layout and rewrites a foreign one into ours, keeping only the keys we use and remembering where
each came from, so :func:`describe_errors` can name a bad value by the dotted key the user wrote
(``resources.max_concurrent_tasks``, not ``gpu.max_concurrent_tasks``). Pure data in, data out:
no file access. Imports nothing from the project and nothing from Qt; pydantic only for types.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import ErrorDetails

Key = tuple[str, ...]


class ConfigLayout(enum.Enum):
    OURS = "ours"
    SEED = "seed"
    UPSTREAM = "upstream"


#: The seed document's keys (file key -> our key); any other key in such a file is ignored.
SEED_KEYS: dict[Key, Key] = {
    ("agent", "agent_id"): ("agent", "agent_id"),
    ("agent", "platform_url"): ("agent", "platform_url"),
    ("agent", "private_key_path"): ("agent", "private_key_path"),
    ("agent", "data_dir"): ("agent", "data_dir"),
    ("availability", "always_on"): ("availability", "always_on"),
    ("availability", "hours_per_day"): ("availability", "hours_per_day"),
    ("availability", "reliability_score"): ("availability", "reliability_score"),
    ("resources", "max_concurrent_tasks"): ("gpu", "max_concurrent_tasks"),
    ("resources", "reserved_vram_gb"): ("gpu", "reserved_vram_gb"),
    ("logging", "level"): ("logging", "level"),
    ("logging", "file"): ("logging", "file"),
}

#: Upstream ``agent-core/src/config.rs`` keys (file key -> our key); others are ignored.
UPSTREAM_KEYS: dict[Key, Key] = {
    ("agent_id",): ("agent", "agent_id"),
    ("platform_url",): ("agent", "platform_url"),
    ("private_key_path",): ("agent", "private_key_path"),
    ("data_dir",): ("agent", "data_dir"),
    ("log_level",): ("logging", "level"),
    ("gpu", "max_concurrent_tasks"): ("gpu", "max_concurrent_tasks"),
    ("gpu", "reserved_vram_gb"): ("gpu", "reserved_vram_gb"),
    ("gpu", "allowed_gpu_indices"): ("gpu", "allowed_gpu_indices"),
    ("network", "heartbeat_interval_secs"): ("network", "heartbeat_interval_secs"),
    ("network", "connection_timeout_secs"): ("network", "connection_timeout_secs"),
    ("network", "max_retries"): ("network", "max_retries"),
    ("availability", "always_on"): ("availability", "always_on"),
}

_UPSTREAM_TABLES = frozenset({"gpu", "network", "availability"})
_UPSTREAM_TOP_KEYS = frozenset(key[0] for key in UPSTREAM_KEYS if len(key) == 1)
#: Rust ``tracing`` level names that ours spells differently.
_RUST_LEVELS = {"trace": "debug", "warn": "warning"}


@dataclass(frozen=True)
class CanonicalData:
    """A config file's data in our layout.

    Attributes:
        data: Tables and keys as our layout names them, ready for model validation.
        layout: The layout the file was written in.
        origins: Our key -> the key the file used, for keys whose names differ.
    """

    data: dict[str, Any]
    layout: ConfigLayout
    origins: dict[Key, Key] = field(default_factory=dict)


def detect_layout(data: Mapping[str, Any]) -> ConfigLayout:
    """Which layout a parsed TOML document is written in.

    A ``[resources]`` table marks the seed's layout. Top-level upstream keys (upstream always
    writes ``platform_url`` there) with no tables beyond upstream's ``[gpu]``, ``[network]`` and
    ``[availability]`` mark upstream's. Anything else is ours, so a stray top-level key in our file
    is reported as unknown rather than silently switching layouts. (A file holding only upstream's
    ``[gpu]``/``[network]``/``[availability]`` keys reads the same either way.)
    """
    if isinstance(data.get("resources"), dict):
        return ConfigLayout.SEED
    tables = {key for key, value in data.items() if isinstance(value, dict)}
    top_keys = set(data) - tables
    if top_keys & _UPSTREAM_TOP_KEYS and tables <= _UPSTREAM_TABLES:
        return ConfigLayout.UPSTREAM
    return ConfigLayout.OURS


def to_canonical(data: Mapping[str, Any]) -> CanonicalData:
    """Detect the layout of ``data`` and rewrite it into ours (ours passes through unchanged)."""
    layout = detect_layout(data)
    if layout is ConfigLayout.OURS:
        return CanonicalData(data=dict(data), layout=layout)
    table = SEED_KEYS if layout is ConfigLayout.SEED else UPSTREAM_KEYS
    out: dict[str, Any] = {}
    origins: dict[Key, Key] = {}
    for source, target in table.items():
        found, value = _lookup(data, source)
        if not found:
            continue
        if target == ("logging", "level") and isinstance(value, str):
            value = _RUST_LEVELS.get(value.strip().lower(), value)
        out.setdefault(target[0], {})[target[1]] = value
        if source != target:
            origins[target] = source
    return CanonicalData(data=out, layout=layout, origins=origins)


def _lookup(data: Mapping[str, Any], key: Key) -> tuple[bool, Any]:
    node: Any = data
    for part in key:
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def dotted(loc: Sequence[int | str], origins: Mapping[Key, Key] | None = None) -> str:
    """A pydantic error location as the file's dotted key (``gpu.allowed_gpu_indices[2]``)."""
    parts: list[int | str] = list(loc)
    head = tuple(str(part) for part in loc[:2])
    if origins and head in origins:
        parts = [*origins[head], *loc[2:]]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + part
    return text or "(top level)"


def describe_errors(
    errors: Sequence[ErrorDetails], origins: Mapping[Key, Key] | None = None
) -> dict[str, str]:
    """Pydantic errors as ``{dotted key: plain message}``; several for one key are joined."""
    described: dict[str, str] = {}
    for error in errors:
        key = dotted(error["loc"], origins)
        message = describe_error(error)
        described[key] = f"{described[key]}; {message}" if key in described else message
    return described


def describe_error(error: ErrorDetails) -> str:
    """One pydantic error as a short sentence a user can act on (no pydantic jargon)."""
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    got = f" (got {_show(error.get('input'))})"
    bounds = {
        "less_than_equal": ("must be at most", "le"),
        "greater_than_equal": ("must be at least", "ge"),
        "less_than": ("must be less than", "lt"),
        "greater_than": ("must be greater than", "gt"),
    }
    if kind in bounds:
        words, name = bounds[kind]
        return f"{words} {ctx.get(name)}{got}"
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}{got}"
    simple = {
        "extra_forbidden": "unknown key; check its spelling",
        "missing": "is required",
        "int_type": f"must be a whole number{got}",
        "int_from_float": f"must be a whole number{got}",
        "float_type": f"must be a number{got}",
        "bool_type": f"must be true or false{got}",
        "string_type": f"must be a quoted string{got}",
        "path_type": f"must be a quoted path{got}",
        "list_type": f"must be a list, e.g. [0, 1]{got}",
        "model_type": f"must be a table (a [section]){got}",
        "dict_type": f"must be a table (a [section]){got}",
        "too_long": f"must have at most {ctx.get('max_length')} items",
        "string_too_long": f"must be at most {ctx.get('max_length')} characters",
    }
    return simple.get(kind, str(error["msg"]))


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return f'"{text}"'
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)
