"""Building the host's ``ConfigOpts`` from files, explicitly, never globally."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from oslo_config import cfg

from plugfair.config import opts
from plugfair.interface.errors import ConfigError, PluginLoadError, PluginValidationError

if TYPE_CHECKING:  # pragma: no cover
    from plugfair.registry.core import Registry

__all__ = ["build_conf", "plugin_opts"]


def build_conf(
    config_files: Sequence[str] = (),
    config_dirs: Sequence[str] = (),
) -> cfg.ConfigOpts:
    """Return a new ``ConfigOpts`` with the core options, files parsed.

    Explicit files and directories are used when given; otherwise the usual
    places are searched (``~/.plugfair/``, ``~/``, ``/etc/plugfair/``,
    ``/etc/`` for ``plugfair.conf`` and ``plugfair.conf.d``).

    :raises ConfigError: naming the file and line of a malformed file, or a
        file or directory that does not exist.
    """
    import os

    for path in config_files:
        if not os.path.isfile(path):
            raise ConfigError(
                "Config file %s does not exist. Check the --config-file path." % path,
                source=path,
            )
    for path in config_dirs:
        if not os.path.isdir(path):
            raise ConfigError(
                "Config directory %s does not exist. Check the --config-dir path."
                % path,
                source=path,
            )
    # prog is fixed so that the name the process was started under (say,
    # "python -m ...") never changes which files are read.
    files = list(config_files) or _unique(
        cfg.find_config_files("plugfair", prog="plugfair")
    )
    dirs = list(config_dirs) or _unique(cfg.find_config_dirs("plugfair", prog="plugfair"))
    conf = cfg.ConfigOpts()
    opts.register(conf)
    try:
        conf(
            args=[],
            project="plugfair",
            default_config_files=files,
            default_config_dirs=dirs,
            use_env=False,
        )
        # Touch the core options so that bad values fail here, named.
        for opt in opts.core_opts():
            getattr(conf.plugfair, opt.dest)
    except cfg.ConfigFileParseError as exc:
        raise ConfigError(
            "Config file %s is malformed: %s. Fix that line and try again."
            % (exc.config_file, exc.msg),
            source=exc.config_file,
        ) from exc
    except (cfg.ConfigFileValueError, ValueError) as exc:
        raise ConfigError(
            "Bad value in configuration: %s. Fix it in %s."
            % (exc, ", ".join(files + dirs) or "the config files")
        ) from exc
    except cfg.Error as exc:
        raise ConfigError("Configuration error: %s" % exc) from exc
    return conf


def _unique(paths: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(paths))


def plugin_opts(registry: Registry) -> list[tuple[str, list[cfg.Opt]]]:
    """Options of every usable plugin, loaded through the registry.

    A plugin that fails to load is skipped (and marked failed).  A group
    a plugin does not hold (see :meth:`Registry.holds`) is left out.
    """
    from plugfair.registry import validate as v

    out: list[tuple[str, list[cfg.Opt]]] = []
    for name in registry.names():
        try:
            groups = v.validate_config_options(
                name,
                registry.call(name, "config_options"),
                type(registry.load(name)).config_groups,
            )
        except (PluginLoadError, PluginValidationError):
            continue
        out.extend(g for g in groups if registry.holds("config group", g[0], name))
    return sorted(out, key=lambda g: g[0])
