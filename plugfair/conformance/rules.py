"""The rule catalogue: one stable code per rule.

Codes never change meaning and are never reused.  ``PF0xx`` rules are
static (they read source), ``PF1xx`` rules are dynamic (they load the
plugin in a child process; ``PF111`` and up judge a plugin through the
interface of another host, as its profile describes it) and ``PF2xx`` rules belong to the core audit.
Each rule has a section in ``doc/source/reference/rules.rst`` whose anchor
is the lowercased code.
"""

from __future__ import annotations

import dataclasses

__all__ = ["Rule", "RULES", "get", "DOCS_PAGE"]

#: The rules page, relative to the root of the built documentation; each
#: rule's section is ``#<code>`` (lowercase).
DOCS_PAGE = "reference/rules.html"


@dataclasses.dataclass(frozen=True)
class Rule:
    """One conformance rule."""

    #: Stable code, e.g. ``"PF001"``.
    code: str
    #: Short kebab-case name, e.g. ``"unstable-import"``.
    name: str
    #: One line that says what the rule finds.
    summary: str
    #: ``"static"``, ``"dynamic"`` or ``"core"``.
    kind: str
    #: ``"error"`` or ``"warning"`` (SARIF level; both fail the check).
    level: str = "error"
    #: For a dynamic rule: the dynamic check it belongs to (the JUnit test
    #: case its violations fail), one of :data:`plugfair.conformance.dynamic.CHECKS`.
    check: str = ""

    @property
    def docs(self) -> str:
        """The rule's section in the documentation, relative to its root."""
        return "%s#%s" % (DOCS_PAGE, self.code.lower())


_ALL = (
    Rule("PF000", "unparsable-file", "A file cannot be read or parsed as Python.", "static"),
    Rule(
        "PF001",
        "unstable-import",
        "Import or use of a host module or name outside the host's stable interface.",
        "static",
    ),
    Rule(
        "PF002",
        "private-name",
        "Use of a private (underscore) name from the host's stable interface.",
        "static",
    ),
    Rule(
        "PF003",
        "host-monkeypatch",
        "Assignment to, or deletion of, an attribute of a host module or object.",
        "static",
    ),
    Rule(
        "PF004",
        "cross-plugin-import",
        "Import of another plugin's modules.",
        "static",
    ),
    Rule(
        "PF005",
        "deprecated-api",
        "Use of a deprecated host API, with the version that removes it.",
        "static",
        "warning",
    ),
    Rule(
        "PF006",
        "host-patched-in-tests",
        "A mock or fixture patches an attribute of the host.",
        "static",
    ),
    Rule(
        "PF101",
        "entry-point",
        "No valid entry point in the plugin group, or it does not name a Plugin class.",
        "dynamic",
        check="entry point",
    ),
    Rule(
        "PF102",
        "plugin-name",
        "The entry-point name and the class's name attribute differ or are invalid.",
        "dynamic",
        check="name",
    ),
    Rule(
        "PF103",
        "api-version",
        "The declared api_version is malformed or cannot be served by this host.",
        "dynamic",
        check="api_version",
    ),
    Rule(
        "PF104",
        "load-failure",
        "Importing or instantiating the plugin fails, crashes or hangs.",
        "dynamic",
        check="load",
    ),
    Rule(
        "PF105",
        "hook-result",
        "A hook raises or returns a value of the wrong type.",
        "dynamic",
        check="hooks",
    ),
    Rule(
        "PF106",
        "foreign-config-group",
        "Configuration options are registered in a group the plugin does not own.",
        "dynamic",
        check="config groups",
    ),
    Rule(
        "PF107",
        "not-namespaced",
        "A command, quota, test or service name is outside the plugin's namespace.",
        "dynamic",
        check="namespaces",
    ),
    Rule(
        "PF108",
        "name-collision",
        "A name the plugin claims is also claimed by another installed plugin.",
        "dynamic",
        check="collisions",
    ),
    Rule("PF109", "test-listing", "The plugin's tests cannot be listed.", "dynamic", check="test listing"),
    Rule(
        "PF110",
        "host-patched-at-load",
        "Loading the plugin changes attributes of the host's modules.",
        "dynamic",
        check="host patching",
    ),
    Rule(
        "PF111",
        "host-config-group",
        "A plugin of another host registers options in a configuration group that host defines.",
        "dynamic",
        check="host config groups",
    ),
    Rule(
        "PF112",
        "duplicate-service-client",
        "A service client's identity (e.g. service_version) is also claimed by the host, "
        "another plugin or the same plugin.",
        "dynamic",
        check="service clients",
    ),
    Rule(
        "PF113",
        "missing-idempotent-id",
        "A test has no idempotent id, though the profile's host requires one.",
        "dynamic",
        check="idempotent ids",
    ),
    Rule(
        "PF114",
        "undeclared-api-version",
        "The plugin class declares no api_version, so it silently takes the host's.",
        "dynamic",
        check="api_version",
    ),
    Rule("PF201", "core-imports-plugin", "The core package imports a plugin.", "core"),
    Rule("PF202", "core-names-plugin", "The core package names a plugin.", "core"),
)

#: Every rule, by code, in code order.
RULES: dict[str, Rule] = {rule.code: rule for rule in _ALL}


def get(code: str) -> Rule:
    """Return the rule with ``code``.

    :raises KeyError: if there is none.
    """
    return RULES[code]
