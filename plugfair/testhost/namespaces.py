"""How test ids are namespaced, and which plugin owns a test id.

Every enabled plugin owns these test-id prefixes, its *test namespaces*:

* ``plugfair.contract.<plugin>.``: the contract tests plugfair generates
  for it (plugin names are unique, so these never overlap);
* ``<package>.`` for each package its ``test_packages()`` declares and no
  other plugin claims.  The validator already requires each to be inside
  the plugin's own top-level package.

When one plugin's test package is nested inside another's, a test belongs
to the plugin with the longest matching prefix.  ``--plugin NAME`` selects
exactly the tests its plugin owns: a hosted plugin owns its tests like any
other plugin, whatever package its host lives in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from plugfair.interface.testids import IDEMPOTENT_ID_ATTR
from plugfair.registry import records as r

if TYPE_CHECKING:  # pragma: no cover
    from plugfair.registry.core import Registry

__all__ = ["CONTRACT_ROOT", "IDEMPOTENT_ID_ATTR", "contract_prefix", "Namespaces"]

#: Test ids of the generated contract tests start with this.
CONTRACT_ROOT = "plugfair.contract"


def contract_prefix(plugin: str) -> str:
    """The test-id prefix of ``plugin``'s contract tests."""
    return "%s.%s." % (CONTRACT_ROOT, plugin)


class Namespaces:
    """The test-id prefixes of the enabled plugins of a registry.

    :param registry: the registry; disabled plugins own nothing.
    """

    def __init__(self, registry: Registry) -> None:
        #: Names of the enabled plugins, in order (by name).
        self.plugins: list[str] = []
        #: Plugin -> its usable test packages (none: no key).
        self.test_packages: dict[str, list[str]] = {}
        #: Plugin -> the plugin hosting it, for hosted plugins.
        self.hosts: dict[str, str] = {}
        self._owner: dict[str, str] = {}
        for rec in registry.records():
            if rec.status == r.STATUS_DISABLED or rec.name in self.plugins:
                continue
            self.plugins.append(rec.name)
            if rec.host:
                self.hosts[rec.name] = rec.host
            self._owner[contract_prefix(rec.name)] = rec.name
            if not rec.usable:
                continue
            for pkg in rec.test_packages:
                if registry.holds("test package", pkg, rec.name):
                    self.test_packages.setdefault(rec.name, []).append(pkg)
                    self._owner.setdefault(pkg + ".", rec.name)

    def prefixes(self, plugin: str) -> list[str]:
        """Every test-id prefix ``plugin`` owns."""
        return sorted(p for p, owner in self._owner.items() if owner == plugin)

    def nested_in(self, plugin: str) -> list[str]:
        """Prefixes of other plugins inside ``plugin``'s test packages."""
        mine = tuple(pkg + "." for pkg in self.test_packages.get(plugin, []))
        if not mine:
            return []
        return sorted(
            p for p, owner in self._owner.items() if owner != plugin and p.startswith(mine)
        )

    def owner(self, test_id: str) -> str | None:
        """The plugin that owns ``test_id`` (longest prefix), or ``None``."""
        found = None
        end = test_id.find(".")
        while end != -1:
            candidate = self._owner.get(test_id[: end + 1])
            if candidate is not None:
                found = candidate
            end = test_id.find(".", end + 1)
        return found

    def select(self, plugins: Iterable[str], test_ids: Iterable[str]) -> list[str]:
        """The ids, in order, that belong to one of ``plugins``."""
        wanted = set(plugins)
        return [t for t in test_ids if self.owner(t) in wanted]

    def regex(self, plugins: Iterable[str]) -> str:
        """A regex matching the prefixes of ``plugins`` (for documentation
        and for plain stestr; nested packages need :meth:`select`)."""
        prefixes = sorted(p for name in plugins for p in self.prefixes(name))
        return "^(?:%s)" % "|".join(re.escape(p) for p in prefixes)
