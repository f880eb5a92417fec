"""Real plugin distributions and configuration for the dashboard tests."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

import fixtures

from plugfair.api import PluginDistribution

#: The admin token of the tests that enable editing.
TOKEN = "test-admin-token-0123456789abcdef"

# The same resources, declared by an "in-tree style" plugin and by an
# out-of-tree one: their panels must look exactly alike.
_PARITY = '''
from plugfair.api import Plugin, QuotaResource

USAGE = {"instances": 4, "cores": 19, "ram": 2048}

class %(cls)s(Plugin):
    name = "%(name)s"
    description = "Parity plugin %(name)s."

    def quota_resources(self):
        return [
            QuotaResource("cores", 20, "count", "Virtual CPU cores."),
            QuotaResource("instances", 10, "count", "Servers of a project."),
            QuotaResource("ram", -1, "MiB", "Memory of all servers."),
            QuotaResource("volumes", 5, "count", "Volumes (usage unknown)."),
        ]

    def quota_usage(self, project_id, names):
        return {n: USAGE[n] for n in names if n in USAGE}
'''

INTREE = _PARITY % {"cls": "InTree", "name": "dash_intree"}
OUTOFTREE = _PARITY % {"cls": "OutOfTree", "name": "dash_outoftree"}

#: Plugin-supplied text that tries to break out of HTML, attributes and
#: the JSON embedded in the page.
HOSTILE_DESCRIPTION = (
    "</script><script>window.__pwned = 1</script>"
    "<img src=x onerror=\"window.__pwned = 2\">"
    "<b class=\"injected\">bold</b> ' \" & {{ 7*7 }} \u2028 end"
)
HOSTILE_UNIT = "<i class=\"injected\">u</i>"

HOSTILE = '''
from plugfair.api import Plugin, QuotaResource

class Hostile(Plugin):
    name = "dash_hostile"
    description = "<script>window.__pwned = 3</script>"

    def quota_resources(self):
        return [QuotaResource("things", 3, %(unit)r, %(description)r)]

    def quota_usage(self, project_id, names):
        return {"things": 1}
''' % {"unit": HOSTILE_UNIT, "description": HOSTILE_DESCRIPTION}

# Usage cannot be counted: the panel says "usage unknown", the rest works.
UNKNOWN = '''
from plugfair.api import Plugin, QuotaResource

class Unknown(Plugin):
    name = "dash_unknown"

    def quota_resources(self):
        return [QuotaResource("widgets", 7, "count", "Widgets.")]

    def quota_usage(self, project_id, names):
        raise RuntimeError("usage backend <down>")
'''

# Cannot be imported at all: listed under "Plugins with problems".
BROKEN = '''
raise ImportError("dash_broken is broken <on purpose>")
'''

# Usage callbacks that hang, answer garbage; a plugin that exits at import.
HANG = '''
import threading
from plugfair.api import Plugin, QuotaResource

RELEASE = threading.Event()

class Hang(Plugin):
    name = "dash_hang"

    def quota_resources(self):
        return [QuotaResource("naps", 4, "count", "Naps.")]

    def quota_usage(self, project_id, names):
        RELEASE.wait(30)
        return {"naps": 1}
'''

GARBAGE = '''
from plugfair.api import Plugin, QuotaResource

class Garbage(Plugin):
    name = "dash_garbage"

    def quota_resources(self):
        return [QuotaResource("junk", 4, "count", "Junk.")]

    def quota_usage(self, project_id, names):
        return {"junk": "lots", "other": -3}
'''

EXIT = '''
import sys
sys.exit("dash_exit leaves at import")
'''

# Long resource names, as Nova and Cinder have: they must wrap at their
# underscores, not inside a word.
LONG_NAMES = '''
from plugfair.api import Plugin, QuotaResource

class LongNames(Plugin):
    name = "dash_long_names"

    def quota_resources(self):
        return [
            QuotaResource("server_group_members", 10, "count", "Servers per server group."),
            QuotaResource("per_volume_gigabytes", -1, "GiB", "Size of one volume."),
            QuotaResource("supercalifragilisticexpialidocious", 1, "count", "No underscore."),
        ]
'''

#: name -> (distribution, module, source, class)
PLUGINS = {
    "dash_intree": ("dash-intree", "dash_intree_pkg.plugin", INTREE, "InTree"),
    "dash_outoftree": ("dash-outoftree", "dash_outoftree_pkg.plugin", OUTOFTREE, "OutOfTree"),
    "dash_hostile": ("dash-hostile", "dash_hostile_pkg.plugin", HOSTILE, "Hostile"),
    "dash_unknown": ("dash-unknown", "dash_unknown_pkg.plugin", UNKNOWN, "Unknown"),
    "dash_broken": ("dash-broken", "dash_broken_pkg.plugin", BROKEN, "Broken"),
    "dash_hang": ("dash-hang", "dash_hang_pkg.plugin", HANG, "Hang"),
    "dash_garbage": ("dash-garbage", "dash_garbage_pkg.plugin", GARBAGE, "Garbage"),
    "dash_exit": ("dash-exit", "dash_exit_pkg.plugin", EXIT, "Exit"),
    "dash_long_names": ("dash-long-names", "dash_long_names_pkg.plugin", LONG_NAMES, "LongNames"),
}

#: Installed in this order on purpose: the dashboard must sort by name.
DEFAULT = ("dash_unknown", "dash_outoftree", "dash_hostile", "dash_intree", "dash_broken")


class DashboardPlugins(fixtures.Fixture):
    """Install some of :data:`PLUGINS` as real distributions on one path."""

    def __init__(self, *names: str, sources: dict[str, tuple[str, str, str, str]] | None = None) -> None:
        super().__init__()
        self.names = names or DEFAULT
        self.sources = dict(PLUGINS, **(sources or {}))
        self.path = ""

    def _setUp(self) -> None:
        self.path = self.useFixture(fixtures.TempDir()).path
        for name in self.names:
            dist, module, source, cls = self.sources[name]
            self.useFixture(
                PluginDistribution(
                    dist,
                    {name: "%s:%s" % (module, cls)},
                    {module: source},
                    directory=self.path,
                )
            )


_SHARED: dict[tuple[str, ...], tuple[str, str]] = {}


class SharedPlugins(fixtures.Fixture):
    """Like :class:`DashboardPlugins`, written once per process.

    The distributions and the manifest cache are kept between tests, so
    only the first test of a set of plugins pays for probing them.  Each
    test still gets the path on ``sys.path`` only while it runs, and its
    plugin modules are imported afresh.
    """

    def __init__(self, *names: str) -> None:
        super().__init__()
        self.names = tuple(names or DEFAULT)
        self.path = ""

    def _setUp(self) -> None:
        from plugfair.interface import testing

        if self.names not in _SHARED:
            root = tempfile.mkdtemp(prefix="plugfair-dash-")
            atexit.register(shutil.rmtree, root, True)
            path = os.path.join(root, "site")
            os.makedirs(path)
            for name in self.names:
                dist, module, source, cls = PLUGINS[name]
                testing.write_distribution(
                    path, dist, "1.0.0", {name: "%s:%s" % (module, cls)}, {module: source}
                )
            _SHARED[self.names] = (path, os.path.join(root, "cache"))
        self.path, cache = _SHARED[self.names]
        self.useFixture(fixtures.EnvironmentVariable("PLUGFAIR_CACHE_DIR", cache))
        sys.path.insert(0, self.path)
        self.addCleanup(testing._remove_path, self.path)
        self.addCleanup(testing._forget_modules, self.path)
        testing._invalidate()
        self.addCleanup(testing._invalidate)


def write_conf(
    directory: str,
    *,
    token: str | None = TOKEN,
    enabled: tuple[str, ...] | None = None,
    extra: str = "",
) -> str:
    """Write a plugfair.conf for a dashboard test; return its path.

    :param enabled: restrict ``[plugfair] enabled_plugins`` (plus
        ``plugfair``); every installed plugin when ``None``.
    """
    lines = ["[plugfair]"]
    if enabled is not None:
        lines.append("enabled_plugins = %s" % ",".join(("plugfair",) + tuple(enabled)))
    lines += [
        "[quota]",
        "connection = sqlite:///%s" % os.path.join(directory, "quota.sqlite"),
        "[dashboard]",
    ]
    if token:
        lines.append("admin_token = %s" % token)
    path = os.path.join(directory, "plugfair.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n" + extra)
    return path
