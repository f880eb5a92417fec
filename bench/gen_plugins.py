"""Generate N synthetic installed plugin distributions for benchmarks.

Each distribution has its own top-level package with a Plugin subclass that
declares three commands, a config group and two quota resources, and an
``entry_points.txt`` in group ``plugfair.plugins``, exactly as pip would
install it.  The directory is used as a ``PYTHONPATH`` entry.

Usage: python bench/gen_plugins.py DIR N
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


def generate(directory: str, count: int) -> str:
    """Write ``count`` plugin distributions into ``directory``."""
    os.makedirs(directory, exist_ok=True)
    for i in range(count):
        name = "bench%04d" % i
        write_distribution(
            directory,
            "bench-plugin-%04d" % i,
            "1.0.%d" % i,
            {name: "%s_pkg.plugin:BenchPlugin" % name},
            {
                "%s_pkg.plugin" % name: PLUGIN.format(name=name, cmd="thing%04d" % i),
            },
        )
    return directory


if __name__ == "__main__":
    generate(sys.argv[1], int(sys.argv[2]))
