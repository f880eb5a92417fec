"""Generate N synthetic installed plugin distributions for benchmarks.

Each distribution has its own top-level package with a Plugin subclass that
declares three commands, a config group and two quota resources, and an
``entry_points.txt`` in group ``plugfair.plugins``, exactly as pip would
install it.  The directory is used as a ``PYTHONPATH`` entry.

With ``layout="osc"`` each distribution also declares a command group of
its own (``openstack.<cmd>.v1``, three entry points), as OpenStack client
plugins do: entry-point groups that plugfair does not read, and that
make stevedore's cache build quadratic.

Usage: python bench/gen_plugins.py DIR N [plain|osc]
"""

from __future__ import annotations

import os
import sys

from plugfair.interface.testing import write_distribution

PLUGIN = '''
from oslo_config import cfg

from plugfair.api import Lister, Plugin, QuotaResource


class ThingList(Lister):
    """List the things of plugin {name}."""

    def take_action(self, parsed_args):
        return ("Name",), [("a",), ("b",)]


class ThingShow(Lister):
    """Show one thing of plugin {name}."""

    def take_action(self, parsed_args):
        return ("Name",), [("a",)]


class BenchPlugin(Plugin):
    name = "{name}"
    description = "Synthetic benchmark plugin {name}."

    def config_options(self):
        return [("{name}", [cfg.StrOpt("endpoint", help="Endpoint.")])]

    def cli_commands(self):
        return {{"{cmd} list": ThingList, "{cmd} show": ThingShow}}

    def quota_resources(self):
        return [QuotaResource("things", 10), QuotaResource("gadgets", -1)]
'''


def generate(
    directory: str, count: int, *, layout: str = "plain", prefix: str = "", start: int = 0
) -> str:
    """Write ``count`` plugin distributions into ``directory``.

    :param layout: ``"plain"`` or ``"osc"`` (one more entry-point group
        per distribution, see the module's docstring).
    :param prefix: put in the names (``bench<prefix>0001``), to add
        distributions to a directory that has some.
    :param start: the first number.
    """
    os.makedirs(directory, exist_ok=True)
    for i in range(start, start + count):
        name = "bench%s%04d" % (prefix, i)
        cmd = "thing%s%04d" % (prefix, i)
        extra = None
        if layout == "osc":
            extra = {
                "openstack.%s.v1" % cmd: {
                    "%s_%s" % (cmd, verb): "%s_pkg.plugin:ThingList" % name
                    for verb in ("list", "show", "create")
                }
            }
        write_distribution(
            directory,
            "bench-plugin-%s%04d" % (prefix, i),
            "1.0.%d" % i,
            {name: "%s_pkg.plugin:BenchPlugin" % name},
            {
                "%s_pkg.plugin" % name: PLUGIN.format(name=name, cmd=cmd),
            },
            extra,
        )
    return directory


if __name__ == "__main__":
    generate(sys.argv[1], int(sys.argv[2]), layout=sys.argv[3] if len(sys.argv) > 3 else "plain")
