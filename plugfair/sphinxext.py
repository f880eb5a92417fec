"""Sphinx extension: ``.. plugfair-plugins::`` lists the installed plugins.

Add ``"plugfair.sphinxext"`` to ``extensions`` in ``conf.py``, then::

    .. plugfair-plugins::
       :detail:

Without options the directive renders a table with one row per installed
plugin (name, distribution, version, status, capabilities), ordered by
name like everything else.  With ``:detail:`` it adds one section per
plugin with its commands, configuration groups, quota resources, services
and test package.  ``:plugins: a, b`` restricts the listing.

The registry is built the same way for every plugin, from a fresh
configuration (``Registry.discover`` with ``build_conf``), without the
manifest cache and without importing any plugin.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

__all__ = ["plugin_summary", "PluginsDirective", "setup"]

_COLUMNS = ("Plugin", "Distribution", "Version", "Status", "Capabilities")


def plugin_summary(names: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Describe the installed plugins, ordered by name.

    :param names: only these plugins (default: every installed plugin).
    :returns: one dict per plugin, with ``name``, ``distribution``,
        ``version``, ``status``, ``capabilities``, ``commands``,
        ``config_groups``, ``quota``, ``services``, ``test_package`` (the
        first of ``test_packages``), ``test_packages``, ``host``,
        ``hosted`` and ``problems``.
    :raises PlugfairError: if ``names`` includes a plugin that is not
        installed.
    """
    from plugfair.config.loader import build_conf
    from plugfair.registry.core import Registry

    registry = Registry.discover(build_conf(config_files=(), config_dirs=()), use_cache=False)
    wanted = set(names)
    out = []
    for name in wanted:
        registry.get(name)  # raises PluginNotFound, naming what is installed
    for rec in registry.records():
        if wanted and rec.name not in wanted:
            continue
        out.append(
            {
                "name": rec.name,
                "distribution": rec.distribution,
                "version": rec.version,
                "status": str(rec.status),
                "description": rec.description,
                "capabilities": list(rec.capabilities),
                "commands": sorted(rec.commands),
                "config_groups": sorted(rec.config_groups),
                "quota": ["%s.%s" % (rec.name, q["name"]) for q in rec.quota],
                "services": sorted(rec.services),
                "test_package": rec.test_package or "",
                "test_packages": list(rec.test_packages),
                "host": rec.host or "",
                "hosted": sorted(rec.hosted),
                "problems": [p.reason for p in rec.problems],
            }
        )
    return out


def _literal_list(items: Sequence[str]) -> nodes.Node:
    para = nodes.paragraph()
    for i, item in enumerate(items):
        if i:
            para += nodes.Text(", ")
        para += nodes.literal(text=item)
    if not items:
        para += nodes.Text("none")
    return para


def _table(rows: list[dict[str, Any]]) -> nodes.table:
    table = nodes.table(classes=["plugfair-plugins"])
    group = nodes.tgroup(cols=len(_COLUMNS))
    table += group
    for _ in _COLUMNS:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for title in _COLUMNS:
        row += nodes.entry("", nodes.paragraph(text=title))
    head += row
    body = nodes.tbody()
    group += body
    for item in rows:
        row = nodes.row()
        values = (
            item["name"],
            item["distribution"],
            item["version"],
            item["status"],
            ", ".join(item["capabilities"]) or "none",
        )
        for value in values:
            row += nodes.entry("", nodes.paragraph(text=value))
        body += row
    return table


class PluginsDirective(SphinxDirective):
    """``.. plugfair-plugins::`` with options ``:detail:`` and ``:plugins:``."""

    has_content = False
    option_spec = {  # noqa: RUF012 - docutils API
        "detail": directives.flag,
        "plugins": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        names = [
            n.strip() for n in self.options.get("plugins", "").split(",") if n.strip()
        ]
        try:
            rows = plugin_summary(names)
        except Exception as exc:  # noqa: BLE001 - reported as a doc warning
            raise self.error("plugfair-plugins: %s" % exc) from exc
        out: list[nodes.Node] = [_table(rows)]
        if "detail" not in self.options:
            return out
        for item in rows:
            section = nodes.container(classes=["plugfair-plugin"])
            section += nodes.rubric(text=item["name"])
            if item["description"]:
                section += nodes.paragraph(text=item["description"])
            fields = nodes.field_list()
            for label, key in (
                ("Commands", "commands"),
                ("Configuration groups", "config_groups"),
                ("Quota resources", "quota"),
                ("Services", "services"),
                ("Problems", "problems"),
            ):
                value = item[key]
                if key == "problems" and not value:
                    continue
                field = nodes.field()
                field += nodes.field_name(text=label)
                if key == "problems":
                    body = nodes.field_body()
                    for reason in value:
                        body += nodes.paragraph(text=reason)
                    field += body
                else:
                    field += nodes.field_body("", _literal_list(value))
                fields += field
            for label, key in (("Test packages", "test_packages"), ("Hosts", "hosted")):
                if item[key]:
                    field = nodes.field()
                    field += nodes.field_name(text=label)
                    field += nodes.field_body("", _literal_list(item[key]))
                    fields += field
            if item["host"]:
                field = nodes.field()
                field += nodes.field_name(text="Hosted by")
                field += nodes.field_body("", _literal_list([item["host"]]))
                fields += field
            section += fields
            out.append(section)
        return out


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive with Sphinx."""
    app.add_directive("plugfair-plugins", PluginsDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
