"""Read the ``[plugfair]`` plugin selection without importing oslo.config.

Only the fast help path uses this, so that ``plugfair --help`` stays near
interpreter start-up time.  It looks in the same places as oslo.config's
``find_config_files('plugfair')``/``find_config_dirs('plugfair')`` (a test
keeps the two in step).  Anything it cannot read with certainty makes it
return ``None``; the caller then takes the full path, where oslo.config
parses the files and reports errors with file and line.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from plugfair.interface.deadlines import (
    HOOK_TIMEOUT_DEFAULT,
    HOOK_TIMEOUT_MAX,
    HOOK_TIMEOUT_MIN,
)

__all__ = ["FastConf", "default_files", "default_dirs", "read"]


class FastConf:
    def __init__(self) -> None:
        self.enabled_plugins: list[str] = []
        self.disabled_plugins: list[str] = []
        self.command_providers: dict[str, str] = {}
        self.service_providers: dict[str, str] = {}
        self.manifest_cache = True
        self.hook_timeout = HOOK_TIMEOUT_DEFAULT


def _search_dirs() -> list[str]:
    home = os.path.abspath(os.path.expanduser("~"))
    dirs = [
        os.path.join(home, ".plugfair"),
        home,
        "/etc/plugfair",
        "/etc",
    ]
    snap_c = os.environ.get("SNAP_COMMON")
    snap = os.environ.get("SNAP")
    if snap_c:
        dirs.append(os.path.join(snap_c, "etc", "plugfair"))
    if snap:
        dirs.append(os.path.join(snap, "etc", "plugfair"))
    return dirs


def _first(name: str) -> list[str]:
    for d in _search_dirs():
        path = os.path.join(d, name)
        if os.path.exists(path):
            return [path]
    return []


def default_files() -> list[str]:
    """The config files oslo.config would find for plugfair."""
    return _first("plugfair.conf")


def default_dirs() -> list[str]:
    """The config directories oslo.config would find for plugfair."""
    return _first("plugfair.conf.d")


def _as_list(value: str) -> list[str]:
    return [x.strip() for x in value.split(",") if x.strip()]


def _as_dict(value: str) -> dict[str, str]:
    """Parse ``key:value,key:value`` as oslo.config's DictOpt does.

    :raises ValueError: for an entry without ``:`` or a repeated key (the
        full path then reports it with the file and line).
    """
    out: dict[str, str] = {}
    for pair in _as_list(value):
        key, colon, val = pair.partition(":")
        if not colon or key.strip() in out:
            raise ValueError(pair)
        out[key.strip()] = val.strip()
    return out


def _seconds(text: str) -> float:
    """``[plugfair] hook_timeout`` as the full path's option type reads it.

    :raises ValueError: for what that type refuses (not a number, not
        finite, out of bounds); the full path then reports it, with the
        file.
    """
    import math

    value = float(text.strip())
    if not (math.isfinite(value) and HOOK_TIMEOUT_MIN <= value <= HOOK_TIMEOUT_MAX):
        raise ValueError(text)
    return value


def read(files: Sequence[str], dirs: Sequence[str]) -> FastConf | None:
    """Read the ``[plugfair]`` options, or ``None`` if unsure."""
    conf = FastConf()
    files = list(files) or default_files()
    dirs = list(dirs) or default_dirs()
    paths = list(files)
    for d in dirs:
        if not os.path.isdir(d):
            return None
        import glob

        paths.extend(sorted(glob.glob(os.path.join(d, "*.conf"))))
    if not paths:
        return conf  # nothing to read: no need for configparser
    import configparser

    for path in paths:
        parser = configparser.RawConfigParser(strict=False, interpolation=None)
        try:
            with open(path, encoding="utf-8") as f:
                parser.read_file(f)
        except (OSError, UnicodeDecodeError, configparser.Error):
            return None
        if not parser.has_section("plugfair"):
            continue
        section = parser["plugfair"]
        try:
            if "enabled_plugins" in section:
                conf.enabled_plugins = _as_list(section["enabled_plugins"])
            if "disabled_plugins" in section:
                conf.disabled_plugins = _as_list(section["disabled_plugins"])
            if "command_providers" in section:
                conf.command_providers = _as_dict(section["command_providers"])
            if "service_providers" in section:
                conf.service_providers = _as_dict(section["service_providers"])
            if "manifest_cache" in section:
                value = section["manifest_cache"].strip().lower()
                if value not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                    return None
                conf.manifest_cache = value in ("true", "1", "yes", "on")
            if "hook_timeout" in section:
                conf.hook_timeout = _seconds(section["hook_timeout"])
        except ValueError:
            return None
    return conf
