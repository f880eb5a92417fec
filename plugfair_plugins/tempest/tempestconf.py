"""Write a tempest.conf from plugfair's configuration.

Each option of a hosted plugin that is set in plugfair's configuration (in
a file, or by an override) is written under its Tempest group and name.
Options left at their default are not written, so Tempest's defaults
apply.  ``$`` is written as ``$$``: oslo.config reads ``$name`` as a
reference to another option, so values such as Tempest's
``ssh_shell_prologue`` (``...PATH=$PATH...``) survive the trip.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from oslo_config import cfg

from plugfair.api import ConfigError

__all__ = ["render", "serialize"]


def serialize(value: Any) -> list[str]:
    """The lines' values for one option value (several for a multi-valued
    option), ``$`` escaped."""
    if isinstance(value, bool):
        items = ["true" if value else "false"]
    elif isinstance(value, dict):
        items = [",".join("%s:%s" % (k, v) for k, v in value.items())]
    elif isinstance(value, (list, tuple)):
        items = [",".join(str(v) for v in value)]
    else:
        items = [str(value)]
    return [item.replace("$", "$$") for item in items]


def _is_set(conf: cfg.ConfigOpts, group: str, opt: cfg.Opt) -> bool:
    """Whether ``[group] opt`` was set (in a file or by an override).

    :raises ConfigError: if its value refers (``$name``) to an option that
        does not exist, usually a ``$`` meant literally.
    """
    try:
        where = conf.get_location(opt.dest, group)
    except cfg.NoSuchGroupError:
        return False  # the group went to another plugin: nothing to write
    except cfg.NoSuchOptError as exc:
        missing = str(getattr(exc, "opt_name", ""))
        if missing == opt.dest and str(getattr(exc.group, "name", exc.group)) == group:
            return False
        raise ConfigError(
            "[%s] %s refers to $%s, which is not an option: oslo.config reads "
            "'$name' as another option's value. Write '$$' for a literal '$' "
            "(e.g. PATH=$$PATH)." % (group, opt.name, missing)
        ) from exc
    return where is not None and where.location != cfg.Locations.opt_default


def render(placements: Iterable[tuple[str | None, str, cfg.Opt]], conf: cfg.ConfigOpts) -> str:
    """The text of a tempest.conf holding every option set in ``conf``.

    :param placements: ``(Tempest group, plugfair group, option)`` of every
        hosted plugin.
    :raises ConfigError: if two plugins set one Tempest option to
        different values.
    """
    sections: dict[str, dict[str, tuple[str, list[str]]]] = {}
    for tempest_group, group, opt in placements:
        if not _is_set(conf, group, opt):
            continue
        value = conf[group][opt.dest]
        if value is None:
            continue
        lines = value if isinstance(opt, cfg.MultiOpt) else [value]
        text = [v for item in lines for v in serialize(item)]
        section = sections.setdefault(tempest_group or "DEFAULT", {})
        earlier = section.get(opt.name)
        if earlier is not None and earlier[1] != text:
            raise ConfigError(
                "[%s] %s and [%s] %s both set Tempest's [%s] %s, to different "
                "values. Set only one of them."
                % (earlier[0], opt.name, group, opt.name, tempest_group or "DEFAULT", opt.name)
            )
        section[opt.name] = (group, text)
    out = ["# Written by plugfair's Tempest bridge from plugfair's configuration.\n"]
    for name in sorted(sections, key=lambda s: (s != "DEFAULT", s)):
        out.append("\n[%s]\n" % name)
        for option, (_group, text) in sorted(sections[name].items()):
            out.extend("%s = %s\n" % (option, item) for item in text)
    return "".join(out)
