"""Real plugin distributions and configuration for the quota tests."""

from __future__ import annotations

import importlib
import os
import sys

import fixtures

from plugfair.api import PluginDistribution
from plugfair.interface.testing import write_distribution

# An "in-tree style" plugin: limits only, usage tracked by the host.
ALPHA = '''
from plugfair.api import Plugin, QuotaResource

class Alpha(Plugin):
    name = "alpha"
    description = "Alpha service."

    def quota_resources(self):
        return [
            QuotaResource("widgets", 10, "count", "Widgets of a project."),
            QuotaResource("storage", -1, "GiB", "Storage space."),
            QuotaResource("gadgets", 2, "count", "Gadgets."),
        ]
'''

# An out-of-tree plugin that counts its own usage.
BETA = '''
import json
import os

from plugfair.api import Plugin, QuotaResource

USAGE = {"records": 3, "zones": 1}
CALLS = []


def _record(call):
    # The callback runs in a child process: a test that wants to see the
    # calls names a file in BETA_CALLS.
    CALLS.append(call)
    path = os.environ.get("BETA_CALLS")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(call) + "\\n")

class Beta(Plugin):
    name = "beta"
    description = "Beta DNS."

    def quota_resources(self):
        return [
            QuotaResource("zones", 5, "count", "<b>DNS</b> zones <script>x()</script>"),
            QuotaResource("records", 100, "count", "Records."),
        ]

    def quota_usage(self, project_id, names):
        _record([project_id, list(names), os.getpid()])
        return {n: USAGE[n] for n in names if n in USAGE}
'''

# Usage callbacks that misbehave, one way each.
RAISER = '''
from plugfair.api import Plugin, QuotaResource

MESSAGE = "backend down"

class Raiser(Plugin):
    name = "raiser"

    def quota_resources(self):
        return [QuotaResource("things", 4)]

    def quota_usage(self, project_id, names):
        raise RuntimeError(MESSAGE)
'''

SLEEPER = '''
import threading
from plugfair.api import Plugin, QuotaResource

RELEASE = threading.Event()

class Sleeper(Plugin):
    name = "sleeper"

    def quota_resources(self):
        return [QuotaResource("naps", 4)]

    def quota_usage(self, project_id, names):
        RELEASE.wait(60)
        return {"naps": 1}
'''

GARBAGE = '''
from plugfair.api import Plugin, QuotaResource

VALUE = "lots"

class Garbage(Plugin):
    name = "garbage"

    def quota_resources(self):
        return [QuotaResource("junk", 4)]

    def quota_usage(self, project_id, names):
        return VALUE
'''

# A plugin that the operator disables.
OFF = '''
from plugfair.api import Plugin, QuotaResource

class Off(Plugin):
    name = "off"

    def quota_resources(self):
        return [QuotaResource("switches", 3)]
'''

# A plugin whose module cannot be imported.
BROKEN = '''
raise ImportError("this plugin is broken on purpose")
'''

ALL = {
    "alpha": ("alpha-plugin", "alpha_plugin", ALPHA, "Alpha"),
    "beta": ("beta-dns", "beta_dns", BETA, "Beta"),
    "raiser": ("raiser-plugin", "raiser_plugin", RAISER, "Raiser"),
    "sleeper": ("sleeper-plugin", "sleeper_plugin", SLEEPER, "Sleeper"),
    "garbage": ("garbage-plugin", "garbage_plugin", GARBAGE, "Garbage"),
    "off": ("off-plugin", "off_plugin", OFF, "Off"),
    "broken": ("broken-plugin", "broken_plugin", BROKEN, "Broken"),
}


class QuotaPlugins(fixtures.Fixture):
    """Install some of the test plugins as real distributions.

    Each plugin is its own distribution (modules plus a ``.dist-info`` with
    its entry point), written by the same code as
    :class:`plugfair.api.PluginDistribution`.  With ``directory``, the
    files are written once and reused by later tests, so the manifest
    built for the first test stays valid (the tests stay fast); the
    imported modules are forgotten after every test, so module state never
    leaks between tests.

    :param names: keys of :data:`ALL`.
    :param directory: a directory kept across tests, or ``None`` for a
        fresh one.
    """

    def __init__(self, *names: str, directory: str | None = None) -> None:
        super().__init__()
        self.names = names or ("alpha", "beta")
        self.directory = directory

    def _setUp(self) -> None:
        if self.directory is None:
            for name in self.names:
                dist, module, source, cls = ALL[name]
                self.useFixture(
                    PluginDistribution(dist, {name: "%s:%s" % (module, cls)}, {module: source})
                )
            self.addCleanup(self._release)
            return
        path = self.directory
        marker = os.path.join(path, ".written")
        if not os.path.exists(marker):
            for name in self.names:
                dist, module, source, cls = ALL[name]
                write_distribution(path, dist, "1.0.0", {name: "%s:%s" % (module, cls)}, {module: source})
            open(marker, "w").close()
        sys.path.insert(0, path)
        self.addCleanup(self._forget, path)
        self.addCleanup(self._release)
        importlib.invalidate_caches()

    @staticmethod
    def _forget(path: str) -> None:
        while path in sys.path:
            sys.path.remove(path)
        prefix = os.path.join(path, "")
        for name, mod in list(sys.modules.items()):
            if (getattr(mod, "__file__", None) or "").startswith(prefix):
                del sys.modules[name]
        importlib.invalidate_caches()

    def _release(self) -> None:
        mod = sys.modules.get("sleeper_plugin")
        if mod is not None:
            mod.RELEASE.set()


def write_conf(directory: str, *, url: str | None = None, extra: str = "") -> str:
    """Write a plugfair.conf and return its path."""
    lines = ["[plugfair]", "hook_timeout = 5", "[quota]", "usage_timeout = 0.5"]
    if url:
        lines.append("connection = %s" % url)
    text = "\n".join(lines) + "\n" + extra
    path = os.path.join(directory, "plugfair.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path
