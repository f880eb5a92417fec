"""How test ids are namespaced, and which plugin owns a test id.

Every enabled plugin owns two test-id prefixes:

* ``plugfair.contract.<plugin>.``: the contract tests plugfair generates
  for it (plugin names are unique, so these never overlap);
* ``<test_package>.``: its own tests, when it declares a test package that
  no other plugin claims.  The validator already requires that package to
  be inside the plugin's own top-level package.

When one plugin's test package is nested inside another's, a test belongs
to the plugin with the longest matching prefix.  ``--plugin NAME`` selects
exactly the tests its plugin owns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from plugfair.registry import records as r

if TYPE_CHECKING:  # pragma: no cover
    from plugfair.registry.core import Registry

__all__ = ["CONTRACT_ROOT", "IDEMPOTENT_ID_ATTR", "contract_prefix", "Namespaces"]

#: Test ids of the generated contract tests start with this.
CONTRACT_ROOT = "plugfair.contract"

#: Attribute that ``plugfair.api.idempotent_id`` sets on a test function;
#: it becomes part of the test id as ``[id-<uuid>]``.
IDEMPOTENT_ID_ATTR = "__plugfair_idempotent_id__"


def contract_prefix(plugin: str) -> str:
    """The test-id prefix of ``plugin``'s contract tests."""
    return "%s.%s." % (CONTRACT_ROOT, plugin)


class Namespaces:
    """The test-id prefixes of the enabled plugins of a registry.

    :param registry: the registry; disabled plugins own nothing.
    """

    def __init__(self, registry: Registry) -> None:
        contested = {c.item for c in registry.collisions if c.kind == "test package"}
        #: Names of the enabled plugins, in order (by name).
        self.plugins: list[str] = []
        #: Plugin -> its usable test package, if any.
        self.test_packages: dict[str, str] = {}
        self._owner: dict[str, str] = {}
        for rec in registry.records():
            if rec.status == r.STATUS_DISABLED or rec.name in self.plugins:
                continue
            self.plugins.append(rec.name)
            self._owner[contract_prefix(rec.name)] = rec.name
            pkg = rec.test_package
            if pkg and rec.usable and pkg not in contested:
                self.test_packages[rec.name] = pkg
                self._owner.setdefault(pkg + ".", rec.name)

    def prefixes(self, plugin: str) -> list[str]:
        """Every test-id prefix ``plugin`` owns."""
        return sorted(p for p, owner in self._owner.items() if owner == plugin)

    def nested_in(self, plugin: str) -> list[str]:
        """Prefixes of other plugins inside ``plugin``'s test package."""
        pkg = self.test_packages.get(plugin)
        if not pkg:
            return []
        mine = pkg + "."
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
