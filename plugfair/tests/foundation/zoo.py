"""A zoo of real plugin distributions, good and broken, for the foundation tests.

Every plugin here is a real distribution: modules plus a ``.dist-info``
with entry points in ``plugfair.plugins``, written by the same code as the
public :class:`plugfair.api.PluginDistribution` fixture.  The zoo is written
once per test process into one directory and probed once, for real, by the
manifest builder (child processes, timeouts and all); tests then build
registries from subsets of those records, so each failure mode costs no
extra probe.  Tests that need the modules importable use :class:`OnPath`.

Tests of the discovery path itself (cache, CLI in a subprocess, ``discover``)
use ``PluginDistribution`` directly instead.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import textwrap

import fixtures

from plugfair.interface.testing import _forget_modules, _invalidate, write_distribution
from plugfair.registry import manifest
from plugfair.registry.records import PluginRecord

#: Environment variable naming a file each zoo module appends its name to
#: when it is imported (how tests see which processes import what).
IMPORT_LOG = "PLUGFAIR_TEST_IMPORT_LOG"

#: Probe timeout of the shared zoo (the ``hang`` plugin costs this once).
ZOO_TIMEOUT = 1.5

PRELUDE = """\
import os as _os
if _os.environ.get(%r):
    with open(_os.environ[%r], "a") as _f:
        _f.write(__name__ + "\\n")
from oslo_config import cfg
from plugfair.api import Command, Plugin, QuotaResource
""" % (IMPORT_LOG, IMPORT_LOG)


def plugin_source(name: str, body: str = "", *, cls: str = "P", header: str = "") -> str:
    """Source of a module defining ``class <cls>(Plugin)`` named ``name``.

    The zoo's plugins are written for API 1.0 (and say so): they prove that
    a 1.0-era plugin keeps working unchanged.
    """
    body = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    return "%s%s\nclass %s(Plugin):\n    name = %r\n    api_version = \"1.0\"\n%s\n" % (
        PRELUDE,
        textwrap.dedent(header),
        cls,
        name,
        body,
    )


GOOD = plugin_source(
    "good",
    '''
    description = "A plugin that does everything right."

    def config_options(self):
        return [
            ("good", [cfg.StrOpt("greeting", default="Hello",
                                 help="How the good plugin greets.")]),
            ("good_extra", [cfg.IntOpt("level", default=1,
                                       help="An option in a second own group.")]),
        ]

    def service_clients(self):
        return {"goodsvc": lambda conf: {"service": "goodsvc",
                                         "greeting": conf.good.greeting}}

    def cli_commands(self):
        return {"good hello": Hello, "good fail": Fail}

    def test_package(self):
        return "pf_good.tests"

    def quota_resources(self):
        return [QuotaResource("widgets", 10, description="Widgets.")]

    def quota_usage(self, project_id, names):
        return {"widgets": 3}
    ''',
    cls="GoodPlugin",
    header='''
    from plugfair.api import UsageError


    class Hello(Command):
        """Say hello from the good plugin."""

        def get_parser(self, prog_name):
            parser = super().get_parser(prog_name)
            parser.add_argument("--name", default="world")
            return parser

        def take_action(self, parsed_args):
            self.app.stdout.write("%s, %s!\\n" % (self.conf.good.greeting, parsed_args.name))
            return 0


    class Fail(Command):
        """Fail with a usage error."""

        def take_action(self, parsed_args):
            raise UsageError("good fail always fails. Do not run it.")
    ''',
)

OTHER = plugin_source(
    "other",
    '''
    description = "Another plugin that works."

    def config_options(self):
        return [("other", [cfg.BoolOpt("loud", default=False, help="Shout.")])]

    def cli_commands(self):
        return {"other run": Run}
    ''',
    header='''
    class Run(Command):
        """Run the other plugin."""

        def take_action(self, parsed_args):
            self.app.stdout.write("other ran\\n")
            return 0
    ''',
)


def _hook_raises(name: str, hook: str, args: str = "self") -> str:
    return plugin_source(
        name,
        "def %s(%s):\n    raise RuntimeError('%s broke in %s')\n" % (hook, args, name, hook),
    )


def _hook_returns(name: str, hook: str, value: str) -> str:
    return plugin_source(name, "def %s(self):\n    return %s\n" % (hook, value))


#: entry-point name -> (distribution, module, source); module holds class P
#: unless the source says otherwise (see TARGETS).
ZOO: dict[str, tuple[str, str, str]] = {
    "good": ("pf-good", "pf_good.plugin", GOOD),
    "other": ("pf-other", "pf_other", OTHER),
    # failures at import
    "import_error": ("pf-import-error", "pf_import_error",
                     PRELUDE + "raise ImportError('needs libfoo, which is not installed')\n"),
    "syntax_error": ("pf-syntax-error", "pf_syntax_error", PRELUDE + "def broken(:\n"),
    "sys_exit": ("pf-sys-exit", "pf_sys_exit", PRELUDE + "import sys\nsys.exit(3)\n"),
    "os_exit": ("pf-os-exit", "pf_os_exit", PRELUDE + "_os._exit(7)\n"),
    "hang": ("pf-hang", "pf_hang", PRELUDE + "import time\ntime.sleep(120)\n"),
    # failures in __init__ and in each hook
    "raise_init": ("pf-raise-init", "pf_raise_init",
                   _hook_raises("raise_init", "__init__", "self, conf")),
    "raise_config": ("pf-raise-config", "pf_raise_config",
                     _hook_raises("raise_config", "config_options")),
    "raise_services": ("pf-raise-services", "pf_raise_services",
                       _hook_raises("raise_services", "service_clients")),
    "raise_commands": ("pf-raise-commands", "pf_raise_commands",
                       _hook_raises("raise_commands", "cli_commands")),
    "raise_tests": ("pf-raise-tests", "pf_raise_tests",
                    _hook_raises("raise_tests", "test_package")),
    "raise_quota": ("pf-raise-quota", "pf_raise_quota",
                    _hook_raises("raise_quota", "quota_resources")),
    "exit_in_hook": ("pf-exit-in-hook", "pf_exit_in_hook",
                     plugin_source("exit_in_hook",
                                   "def cli_commands(self):\n"
                                   "    import sys\n    sys.exit(4)\n")),
    # fails after its commands are known: they are reported as its own
    "late_fail": ("pf-late-fail", "pf_late_fail", plugin_source("late_fail", """
                  def cli_commands(self):
                      return {"late go": Go}

                  def quota_resources(self):
                      raise ValueError("quota backend misconfigured")
                  """, header="""
                  class Go(Command):
                      '''Go late.'''

                      def take_action(self, parsed_args):
                          return 0
                  """)),
    # a hook that fails only when called on demand, in-process
    "raise_usage": ("pf-raise-usage", "pf_raise_usage",
                    plugin_source("raise_usage", """
                    def quota_resources(self):
                        return [QuotaResource("things", 5)]

                    def quota_usage(self, project_id, names):
                        raise RuntimeError("usage backend is down")
                    """)),
    "slow_usage": ("pf-slow-usage", "pf_slow_usage",
                   plugin_source("slow_usage", """
                   def quota_resources(self):
                       return [QuotaResource("things", 5)]

                   def quota_usage(self, project_id, names):
                       import threading
                       threading.Event().wait(3)
                       return {"things": 1}
                   """)),
    # wrong return type of each hook
    "wrong_config": ("pf-wrong-config", "pf_wrong_config",
                     _hook_returns("wrong_config", "config_options",
                                   "{'wrong_config': [cfg.StrOpt('x')]}")),
    "wrong_services": ("pf-wrong-services", "pf_wrong_services",
                       _hook_returns("wrong_services", "service_clients", "['storage']")),
    "wrong_commands": ("pf-wrong-commands", "pf_wrong_commands",
                       _hook_returns("wrong_commands", "cli_commands", "['wrong list']")),
    "wrong_tests": ("pf-wrong-tests", "pf_wrong_tests",
                    _hook_returns("wrong_tests", "test_package", "42")),
    "wrong_quota": ("pf-wrong-quota", "pf_wrong_quota",
                    _hook_returns("wrong_quota", "quota_resources", "{'cores': 4}")),
    # API versions
    "api_newer_minor": ("pf-api-newer-minor", "pf_api_newer_minor",
                        plugin_source("api_newer_minor", "api_version = '1.9'")),
    "api_newer_major": ("pf-api-newer-major", "pf_api_newer_major",
                        plugin_source("api_newer_major", "api_version = '2.0'")),
    "api_older_major": ("pf-api-older-major", "pf_api_older_major",
                        plugin_source("api_older_major", "api_version = '0.9'")),
    "api_malformed": ("pf-api-malformed", "pf_api_malformed",
                      plugin_source("api_malformed", "api_version = '1.0.0'")),
    # what the entry point resolves to
    "mismatch": ("pf-mismatch", "pf_mismatch", plugin_source("different")),
    "not_plugin": ("pf-not-plugin", "pf_not_plugin",
                   PRELUDE + "class P:\n    name = 'not_plugin'\n"),
    "not_class": ("pf-not-class", "pf_not_class", PRELUDE + "def P():\n    return None\n"),
    "BadName": ("pf-bad-name", "pf_bad_name", plugin_source("BadName")),
    # options in another plugin's group
    "intruder": ("pf-intruder", "pf_intruder",
                 plugin_source("intruder", """
                 def config_options(self):
                     return [("good", [cfg.StrOpt("greeting", default="Hijacked")])]
                 """)),
    # changes plugfair internals at import
    "patcher": ("pf-patcher", "pf_patcher",
                PRELUDE + "import plugfair.registry.core as _core\n"
                "_core.Registry.names = lambda self: ['patcher']\n"
                + plugin_source("patcher").replace(PRELUDE, "")),
    "patcher_late": ("pf-patcher-late", "pf_patcher_late",
                     PRELUDE + "import plugfair.registry.report as _report\n"
                     "_report.plugin_rows = lambda registry: []\n"
                     + plugin_source("patcher_late").replace(PRELUDE, "")),
    # collisions: a command
    "cmd_a": ("pf-cmd-a", "pf_cmd_a", plugin_source("cmd_a", """
              def cli_commands(self):
                  return {"shared cmd": Cmd, "cmda solo": Cmd}
              """, header="""
              class Cmd(Command):
                  '''A command of cmd_a.'''

                  def take_action(self, parsed_args):
                      self.app.stdout.write("cmd_a ran\\n")
                      return 0
              """)),
    "cmd_b": ("pf-cmd-b", "pf_cmd_b", plugin_source("cmd_b", """
              def cli_commands(self):
                  return {"shared cmd": Cmd, "cmdb solo": Cmd}
              """, header="""
              class Cmd(Command):
                  '''A command of cmd_b.'''

                  def take_action(self, parsed_args):
                      self.app.stdout.write("cmd_b ran\\n")
                      return 0
              """)),
    # collisions: a config group claimed by two plugins (one without options)
    "claim_a": ("pf-claim-a", "pf_claim_a", plugin_source("claim_a", """
                config_groups = ("common",)

                def config_options(self):
                    return [("common", [cfg.StrOpt("owner", default="claim_a")]),
                            ("claim_a", [cfg.StrOpt("mine", default="a")])]
                """)),
    "claim_b": ("pf-claim-b", "pf_claim_b", plugin_source("claim_b", """
                config_groups = ("common",)
                """)),
    # collisions: a group named after another plugin, claimed explicitly...
    "squatter": ("pf-squatter", "pf_squatter", plugin_source("squatter", """
                 config_groups = ("victim",)

                 def config_options(self):
                     return [("victim", [cfg.StrOpt("taken", default="yes")])]
                 """)),
    "victim": ("pf-victim", "pf_victim", plugin_source("victim", """
               def config_options(self):
                   return [("victim", [cfg.StrOpt("own", default="mine")])]
               """)),
    # ...and through the <plugin>_* prefix rule
    "pre": ("pf-pre", "pf_pre", plugin_source("pre", """
            def config_options(self):
                return [("pre_fix", [cfg.StrOpt("x", default="pre")])]
            """)),
    "pre_fix": ("pf-pre-fix", "pf_pre_fix", plugin_source("pre_fix")),
    # collisions: a service
    "svc_a": ("pf-svc-a", "pf_svc_a", plugin_source("svc_a", """
              def service_clients(self):
                  return {"storage": lambda conf: "svc_a client", "only-a": lambda conf: "a"}
              """)),
    "svc_b": ("pf-svc-b", "pf_svc_b", plugin_source("svc_b", """
              def service_clients(self):
                  return {"storage": lambda conf: "svc_b client"}
              """)),
    # collisions: a test package (two distributions share a top-level package)
    "tp_a": ("pf-tp-a", "tp_shared.a", plugin_source("tp_a", """
             def test_package(self):
                 return "tp_shared.tests"
             """)),
    "tp_b": ("pf-tp-b", "tp_shared.b", plugin_source("tp_b", """
             def test_package(self):
                 return "tp_shared.tests"
             """)),
}

#: Two distributions that both provide a plugin named "twin".
TWINS = {
    "pf-twin-a": ("twin_a", plugin_source("twin", """
                  description = "twin from a"

                  def cli_commands(self):
                      return {"twin go": Go}
                  """, header="""
                  class Go(Command):
                      '''Go, twin.'''

                      def take_action(self, parsed_args):
                          return 0
                  """)),
    "pf-twin-b": ("twin_b", plugin_source("twin", 'description = "twin from b"')),
}


def write_zoo(path: str) -> None:
    """Write every zoo distribution into ``path``."""
    for ep_name, (dist, module, source) in ZOO.items():
        if ep_name == "good":
            continue  # a package with tests, written below
        write_distribution(path, dist, "1.0", {ep_name: "%s:P" % module}, {module: source})
    write_distribution(path, "pf-good", "1.0", {"good": "pf_good.plugin:GoodPlugin"}, {
        "pf_good.plugin": GOOD,
        "pf_good.tests.test_smoke": "def test_nothing():\n    pass\n",
    })
    for dist, (module, source) in TWINS.items():
        write_distribution(path, dist, "1.0", {"twin": "%s:P" % module}, {module: source})


class _Zoo:
    path = ""
    records: list[PluginRecord] = []


_ZOO = _Zoo()


def zoo() -> _Zoo:
    """The zoo of this process: written and probed on first use."""
    if not _ZOO.path:
        path = tempfile.mkdtemp(prefix="plugfair-zoo-")
        atexit.register(shutil.rmtree, path, True)
        write_zoo(path)
        _invalidate()
        env = os.environ.pop(IMPORT_LOG, None)
        try:
            _ZOO.records = manifest.build([path] + sys.path, timeout=ZOO_TIMEOUT)
        finally:
            if env is not None:
                os.environ[IMPORT_LOG] = env
        _ZOO.path = path
    return _ZOO


def records(*names: str) -> list[PluginRecord]:
    """Copies of the zoo records of these plugins (both twins for "twin")."""
    found = [rec.copy() for rec in zoo().records if rec.name in names]
    missing = set(names) - {rec.name for rec in found}
    if missing:
        raise AssertionError("not in the zoo: %s" % sorted(missing))
    return found


def record(name: str) -> PluginRecord:
    (rec,) = records(name)
    return rec


class OnPath(fixtures.Fixture):
    """Put the zoo on ``sys.path`` so its plugins can be imported in-process."""

    def _setUp(self) -> None:
        path = zoo().path
        sys.path.insert(0, path)
        _invalidate()
        self.addCleanup(_invalidate)
        self.addCleanup(_forget_modules, path)
        self.addCleanup(sys.path.remove, path)


def seed_cache(recs: list[PluginRecord]) -> None:
    """Write a warm manifest cache holding ``recs`` for the current sys.path.

    It is what the first ``plugfair`` run would have written for the zoo,
    so a test of the CLI does not pay for a probe of its own.
    """
    manifest.store(recs, list(sys.path))


def distribution(name: str, directory: str | None = None, **kwargs: object) -> fixtures.Fixture:
    """A :class:`plugfair.api.PluginDistribution` of zoo plugin ``name``."""
    from plugfair.api import PluginDistribution

    if name == "good":
        return PluginDistribution(
            "pf-good",
            {"good": "pf_good.plugin:GoodPlugin"},
            {"pf_good.plugin": GOOD, "pf_good.tests.test_smoke": "def test_x():\n    pass\n"},
            directory=directory,
            **kwargs,  # type: ignore[arg-type]
        )
    dist, module, source = ZOO[name]
    return PluginDistribution(
        dist, {name: "%s:P" % module}, {module: source}, directory=directory,
        **kwargs,  # type: ignore[arg-type]
    )
