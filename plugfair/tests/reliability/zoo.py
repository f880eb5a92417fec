"""A zoo of hostile and broken plugins, written as real distributions.

Every entry is a real distribution (modules plus a ``.dist-info`` with an
entry point in ``plugfair.plugins``), written by the same code as the
public :class:`plugfair.api.PluginDistribution` fixture.  All of them go
into one directory, next to one plugin that does everything right
(``rgood``) and one whose command, service and quota resource others try
to claim (``rvictim``), so every host is tried against the whole zoo at
once: the good plugin must keep working whatever its neighbours do.

:data:`HOSTILE` says, for each hostile entry point, what it does and how
the registry must judge it (``failed``, ``refused`` or ``conflict``);
``None`` means the probe cannot see the problem because it is only in an
on-demand hook (usage, a service client factory), so the host must
report it when it calls that hook.
"""

from __future__ import annotations

import textwrap

from plugfair.interface.testing import write_distribution

#: Seconds of ``[plugfair] hook_timeout`` the zoo is run with.
HOOK_TIMEOUT = 1.0

#: Seconds of ``[quota] usage_timeout`` the zoo is run with: every usage
#: callback runs in a child process of its own, and some 40 of them start
#: at once, so a busy CI machine needs more than a second for the good ones.
USAGE_TIMEOUT = 3.0

#: Bytes a loud plugin prints at import and in each hook.
LOUD_BYTES = 1024 * 1024

PRELUDE = """\
import os as _os
import sys as _sys
from oslo_config import cfg
from plugfair.api import Command, Plugin, QuotaResource
"""


def _plugin(name: str, body: str = "", *, header: str = "", cls: str = "P") -> str:
    body = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    return "%s%s\n\nclass %s(Plugin):\n    name = %r\n    api_version = \"1.0\"\n%s\n" % (
        PRELUDE, textwrap.dedent(header), cls, name, body,
    )


def _raises(name: str, hook: str, args: str = "self") -> str:
    return _plugin(name, "def %s(%s):\n    raise RuntimeError(%r)\n"
                   % (hook, args, "%s broke in %s" % (name, hook)))


def _returns(name: str, hook: str, value: str) -> str:
    return _plugin(name, "def %s(self):\n    return %s\n" % (hook, value))


GOOD = _plugin("rgood", '''
    description = "The good neighbour: every capability, all correct."

    def config_options(self):
        return [("rgood", [cfg.StrOpt("greeting", default="Hello", help="Greeting.")])]

    def service_clients(self):
        return {"rgood": lambda conf: "rgood-client:" + conf.rgood.greeting}

    def cli_commands(self):
        return {"rgood hello": Hello}

    def test_package(self):
        return "rz_good.tests"

    def quota_resources(self):
        return [QuotaResource("widgets", 10, "count", "Widgets.")]

    def quota_usage(self, project_id, names):
        return {"widgets": 2}
''', header='''
class Hello(Command):
    """Say hello from the good plugin."""

    def take_action(self, parsed_args):
        self.app.stdout.write("%s from rgood\\n" % self.conf.rgood.greeting)
        return 0
''')

GOOD_TEST = '''
import testtools


class TestGood(testtools.TestCase):
    def test_fine(self):
        self.assertEqual(2, 1 + 1)
'''

VICTIM = _plugin("rvictim", '''
    description = "A plugin whose names others try to take."

    def config_options(self):
        return [("rvictim", [cfg.StrOpt("own", default="mine")])]

    def cli_commands(self):
        return {"victim go": Go}

    def service_clients(self):
        return {"victimsvc": lambda conf: "victim client"}

    def quota_resources(self):
        return [QuotaResource("cores", 4)]
''', header='''
class Go(Command):
    """Go, victim."""

    def take_action(self, parsed_args):
        return 0
''')

_CMD = '''
class Cmd(Command):
    """A command."""

    def take_action(self, parsed_args):
        return 0
'''

_LOUD = "_sys.stdout.write('x' * %d)\n_sys.stdout.flush()\n" % LOUD_BYTES

#: entry-point name -> (module, source, expected status, what it does).
HOSTILE: dict[str, tuple[str, str, str | None, str]] = {
    # -- import
    "rz_import_error": ("rz_import_error", PRELUDE + "raise ImportError('needs libfoo')\n",
                        "failed", "fails to import"),
    "rz_sys_exit": ("rz_sys_exit", PRELUDE + "_sys.exit(3)\n", "failed", "sys.exit at import"),
    "rz_os_exit": ("rz_os_exit", PRELUDE + "_os._exit(7)\n", "failed", "os._exit at import"),
    "rz_hang_import": ("rz_hang_import", PRELUDE + "import time\ntime.sleep(300)\n",
                       "failed", "hangs at import"),
    # -- raises in every hook, one plugin per hook (a failed hook ends the plugin)
    "rz_raise_init": ("rz_raise_init", _raises("rz_raise_init", "__init__", "self, conf"),
                      "failed", "raises in __init__"),
    "rz_raise_config": ("rz_raise_config", _raises("rz_raise_config", "config_options"),
                        "failed", "raises in config_options"),
    "rz_raise_services": ("rz_raise_services", _raises("rz_raise_services", "service_clients"),
                          "failed", "raises in service_clients"),
    "rz_raise_commands": ("rz_raise_commands", _raises("rz_raise_commands", "cli_commands"),
                          "failed", "raises in cli_commands"),
    "rz_raise_tests": ("rz_raise_tests", _raises("rz_raise_tests", "test_package"),
                       "failed", "raises in test_package"),
    "rz_raise_quota": ("rz_raise_quota", _raises("rz_raise_quota", "quota_resources"),
                       "failed", "raises in quota_resources"),
    "rz_raise_usage": ("rz_raise_usage", _plugin("rz_raise_usage", '''
        def quota_resources(self):
            return [QuotaResource("things", 5)]

        def quota_usage(self, project_id, names):
            raise RuntimeError("rz_raise_usage broke in quota_usage")
        '''), None, "raises in quota_usage"),
    "rz_raise_factory": ("rz_raise_factory", _plugin("rz_raise_factory", '''
        def service_clients(self):
            def factory(conf):
                raise RuntimeError("rz_raise_factory broke in its client factory")
            return {"raisesvc": factory}
        '''), None, "raises in a service client factory"),
    "rz_exit_hook": ("rz_exit_hook", _plugin("rz_exit_hook", '''
        def cli_commands(self):
            _sys.exit(4)
        '''), "failed", "sys.exit in a hook"),
    "rz_exit_usage": ("rz_exit_usage", _plugin("rz_exit_usage", '''
        def quota_resources(self):
            return [QuotaResource("things", 5)]

        def quota_usage(self, project_id, names):
            _sys.exit(5)
        '''), None, "sys.exit in quota_usage"),
    # -- wrong types
    "rz_wrong_config": ("rz_wrong_config", _returns("rz_wrong_config", "config_options", "42"),
                        "failed", "config_options returns an int"),
    "rz_wrong_services": ("rz_wrong_services",
                          _returns("rz_wrong_services", "service_clients", "['svc']"),
                          "failed", "service_clients returns a list"),
    "rz_wrong_commands": ("rz_wrong_commands",
                          _returns("rz_wrong_commands", "cli_commands", "{'x y': 'not a class'}"),
                          "failed", "cli_commands maps to a string"),
    "rz_wrong_tests": ("rz_wrong_tests", _returns("rz_wrong_tests", "test_package", "b'pkg'"),
                       "failed", "test_package returns bytes"),
    "rz_wrong_quota": ("rz_wrong_quota", _returns("rz_wrong_quota", "quota_resources", "[('a', 1)]"),
                       "failed", "quota_resources returns tuples"),
    "rz_wrong_usage": ("rz_wrong_usage", _plugin("rz_wrong_usage", '''
        def quota_resources(self):
            return [QuotaResource("things", 5), QuotaResource("stuff", 5)]

        def quota_usage(self, project_id, names):
            return {"things": -3, "stuff": "many"}
        '''), None, "quota_usage returns a negative and a string"),
    # -- hangs in hooks (bounded by [plugfair] hook_timeout)
    "rz_hang_hook": ("rz_hang_hook", _plugin("rz_hang_hook", '''
        def config_options(self):
            import threading
            threading.Event().wait(300)
            return []
        '''), "failed", "hangs in config_options"),
    "rz_hang_usage": ("rz_hang_usage", _plugin("rz_hang_usage", '''
        def quota_resources(self):
            return [QuotaResource("naps", 5)]

        def quota_usage(self, project_id, names):
            import threading
            threading.Event().wait(300)
            return {"naps": 1}
        '''), None, "hangs in quota_usage"),
    "rz_hang_factory": ("rz_hang_factory", _plugin("rz_hang_factory", '''
        def service_clients(self):
            def factory(conf):
                import threading
                threading.Event().wait(300)
            return {"hangsvc": factory}
        '''), None, "hangs in a service client factory"),
    # -- floods stdout at import and in every hook
    "rz_loud": ("rz_loud", PRELUDE + _LOUD + _plugin("rz_loud", '''
        def config_options(self):
            %s
            return [("rz_loud", [cfg.StrOpt("volume", default="max")])]

        def quota_resources(self):
            %s
            return [QuotaResource("decibels", 5)]

        def quota_usage(self, project_id, names):
            %s
            return {"decibels": 1}
        ''' % ((_LOUD.replace("\n", "; ").rstrip("; "),) * 3)).replace(PRELUDE, ""),
                None, "prints megabytes at import and in hooks"),
    # -- takes what is not its own
    "rz_foreign_group": ("rz_foreign_group", _plugin("rz_foreign_group", '''
        def config_options(self):
            return [("rgood", [cfg.StrOpt("greeting", default="Hijacked")])]
        '''), "failed", "registers options in another plugin's group"),
    "rz_claim_group": ("rz_claim_group", _plugin("rz_claim_group", '''
        config_groups = ("rvictim",)
        '''), "conflict", "claims another plugin's group in config_groups"),
    "rz_claim_command": ("rz_claim_command", _plugin("rz_claim_command", '''
        def cli_commands(self):
            return {"victim go": Cmd, "claimer solo": Cmd}
        ''', header=_CMD), "conflict", "claims another plugin's command"),
    "rz_claim_service": ("rz_claim_service", _plugin("rz_claim_service", '''
        def service_clients(self):
            return {"victimsvc": lambda conf: "stolen client"}
        '''), "conflict", "claims another plugin's service"),
    "rz_claim_quota": ("rz_claim_quota", _plugin("rz_claim_quota", '''
        def quota_resources(self):
            return [QuotaResource("rvictim.cores", 100)]
        '''), "failed", "declares a resource named like another plugin's quota key"),
    # -- changes plugfair internals at import (only its own process is hurt)
    "rz_patcher": ("rz_patcher", PRELUDE + '''
import plugfair.quota.service as _svc
import plugfair.registry.core as _core
_core.Registry.names = lambda self: ["rz_patcher"]
_svc.QuotaService.set = lambda self, *a, **k: []
''' + _plugin("rz_patcher", '''
        def quota_resources(self):
            return [QuotaResource("patches", 5)]

        def quota_usage(self, project_id, names):
            return {"patches": 1}
        ''').replace(PRELUDE, ""), "failed", "monkeypatches plugfair internals at import"),
    # -- names
    "rz_mismatch": ("rz_mismatch", _plugin("rz_other_name"), "failed",
                    "entry-point name differs from the class's name"),
    "rz_no_name": ("rz_no_name", _plugin(""), "failed", "class has no name"),
    "r\u00fcnicode": ("rz_unicode", _plugin("r\u00fcnicode"), "failed", "unicode plugin name"),
    "rz_" + "long" * 20: ("rz_long", _plugin("rz_" + "long" * 20), "failed",
                          "plugin name of 83 characters"),
    "rz_unicode_cmd": ("rz_unicode_cmd", _plugin("rz_unicode_cmd", '''
        def cli_commands(self):
            return {"caf\\u00e9 list": Cmd}
        ''', header=_CMD), "failed", "unicode command name"),
    "rz_long_quota": ("rz_long_quota", _plugin("rz_long_quota", '''
        def quota_resources(self):
            return [QuotaResource("r" * 300, 5)]
        '''), "failed", "quota resource name of 300 characters"),
}

# -- issue 14: usage callbacks that attack the host at run time --------

# Values whose every method attacks: each one of these, called in the host,
# would end it (``os._exit``), hang it or raise where nobody expects it.
_HOSTILE_VALUES = '''
import os as _os
import threading as _threading


def _attack(kind):
    if kind == "exit":
        _os._exit(11)
    if kind == "hang":
        _threading.Event().wait(300)
    if kind == "interrupt":
        raise KeyboardInterrupt("from a plugin value")
    raise RuntimeError("hostile value method")


def hostile_int(kind, value=3):
    def attack(self, *args, **kwargs):
        return _attack(kind)

    names = ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__",
             "__index__", "__int__", "__float__", "__bool__", "__repr__", "__str__",
             "__format__", "__add__", "__radd__", "__sub__", "__rsub__", "bit_length")
    return type("HostileInt", (int,), {n: attack for n in names})(value)


def hostile_str(kind, value):
    def attack(self, *args, **kwargs):
        return _attack(kind)

    names = ("__eq__", "__ne__", "__hash__", "__repr__", "__str__", "__format__", "__len__")
    return type("HostileStr", (str,), {n: attack for n in names})(value)


def hostile_dict(kind, value):
    def attack(self, *args, **kwargs):
        return _attack(kind)

    names = ("items", "keys", "values", "__iter__", "__len__", "__getitem__", "get",
             "__contains__", "__repr__", "__eq__")
    return type("HostileDict", (dict,), {n: attack for n in names})(value)
'''


def _usage_plugin(name: str, body: str, resource: str = "things") -> str:
    """A plugin with one resource whose ``quota_usage`` runs ``body``."""
    return PRELUDE + _HOSTILE_VALUES + _plugin(name, '''
        def quota_resources(self):
            return [QuotaResource("%s", 5)]

        def quota_usage(self, project_id, names):
            %s
        ''' % (resource, body)).replace(PRELUDE, "")


#: entry-point name -> (module, source, what it does): usage callbacks
#: that attack at run time.  The probe cannot see any of it (status
#: ``None`` in :data:`HOSTILE`); the test says what each one's reason is.
RUNTIME: dict[str, tuple[str, str, str]] = {
    "rz_osexit_usage": ("rz_osexit_usage", _usage_plugin("rz_osexit_usage", "_os._exit(9)"),
                        "os._exit in quota_usage"),
    "rz_kbint_usage": ("rz_kbint_usage",
                       _usage_plugin("rz_kbint_usage", "raise KeyboardInterrupt('plugin ^C')"),
                       "raises KeyboardInterrupt in quota_usage"),
    "rz_base_usage": ("rz_base_usage", _usage_plugin(
        "rz_base_usage", "raise type('Doom', (BaseException,), {})('the end')"),
        "raises a BaseException subclass in quota_usage"),
    "rz_raise_int": ("rz_raise_int", _usage_plugin(
        "rz_raise_int", "return {'things': hostile_int('raise')}"),
        "returns an int whose methods raise"),
    "rz_exit_int": ("rz_exit_int", _usage_plugin(
        "rz_exit_int", "return {'things': hostile_int('exit')}"),
        "returns an int whose methods call os._exit"),
    "rz_hang_int": ("rz_hang_int", _usage_plugin(
        "rz_hang_int", "return {'things': hostile_int('hang')}"),
        "returns an int whose methods hang"),
    "rz_kbint_int": ("rz_kbint_int", _usage_plugin(
        "rz_kbint_int", "return {'things': hostile_int('interrupt')}"),
        "returns an int whose methods raise KeyboardInterrupt"),
    "rz_exit_key": ("rz_exit_key", _usage_plugin(
        "rz_exit_key", "return {hostile_str('exit', 'things'): 1}"),
        "returns a key whose __hash__/__eq__ call os._exit"),
    "rz_exit_dict": ("rz_exit_dict", _usage_plugin(
        "rz_exit_dict", "return hostile_dict('exit', {'things': 1})"),
        "returns a dict whose items/__iter__/... call os._exit"),
    "rz_hang_mapping": ("rz_hang_mapping", _usage_plugin("rz_hang_mapping", '''
            import collections.abc

            class Stuck(collections.abc.Mapping):
                def __getitem__(self, key):
                    return 1

                def __len__(self):
                    return 1

                def __iter__(self):
                    _threading.Event().wait(300)
                    yield "things"

            return Stuck()
            '''), "returns a mapping whose iteration hangs"),
    "rz_huge_usage": ("rz_huge_usage", _usage_plugin(
        "rz_huge_usage", "return {'things': 10 ** 5000}"),
        "returns an integer of 5,001 digits"),
    "rz_bad_str_error": ("rz_bad_str_error", _usage_plugin("rz_bad_str_error", '''
            class Unprintable(Exception):
                def __str__(self):
                    _os._exit(12)

            raise Unprintable()
            '''), "raises an exception whose __str__ calls os._exit"),
    "rz_tamper": ("rz_tamper", _usage_plugin("rz_tamper", '''
            # try to rewrite the good neighbour's answer: patch its class,
            # and write a forged answer to every descriptor it can reach
            import sys, json
            try:
                import rz_good.plugin as good
                good.P.quota_usage = lambda self, p, n: {"widgets": 999}
            except Exception:
                pass
            forged = ("A " + json.dumps({"usage": {"widgets": 999}}) + "\\n").encode()
            for fd in range(3, 256):
                try:
                    _os.write(fd, forged)
                except OSError:
                    pass
            return {"things": 1}
            '''), "patches the good plugin and forges answers on every descriptor"),
    "rz_orphans": ("rz_orphans", _usage_plugin("rz_orphans", '''
            # a grandchild that keeps the pipes open and outlives its parent
            import subprocess
            subprocess.Popen([_sys.executable, "-c", "import time; time.sleep(300)",
                              _os.path.dirname(_os.path.abspath(__file__))])
            _os._exit(0)
            '''), "leaves a grandchild process holding its pipes"),
}

for _name, (_module, _source, _what) in RUNTIME.items():
    HOSTILE[_name] = (_module, _source, None, _what)


#: Plugins whose import turns bad once the manifest is warm: each one
#: reads a marker file next to it at import (written by the test after the
#: manifest was built), so the probe saw a healthy plugin.
LATE_MARKER = "rz_late.marker"

_LATE = PRELUDE + '''
if _os.path.exists(_os.path.join(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))), %r)):
    %s
''' + _plugin("%s", '''
    def quota_resources(self):
        return [QuotaResource("things", 5)]

    def quota_usage(self, project_id, names):
        return {"things": 1}
    ''').replace(PRELUDE, "")

#: entry-point name -> (module, source, what it does).
LATE: dict[str, tuple[str, str, str]] = {
    "rz_late_hang": ("rz_late_hang.plugin",
                     _LATE % (LATE_MARKER, "import threading; threading.Event().wait(300)",
                              "rz_late_hang"),
                     "its import hangs once the manifest is warm"),
    "rz_late_slow": ("rz_late_slow.plugin",
                     _LATE % (LATE_MARKER, "import time; time.sleep(%s)" % (USAGE_TIMEOUT * 4),
                              "rz_late_slow"),
                     "its import becomes slower than the deadline"),
    "rz_late_exit": ("rz_late_exit.plugin",
                     _LATE % (LATE_MARKER, "_os._exit(13)", "rz_late_exit"),
                     "its import calls os._exit once the manifest is warm"),
}


def write_late(path: str) -> None:
    """Write the good plugin and the :data:`LATE` plugins into ``path``."""
    write_distribution(path, "rz-good", "1.0", {"rgood": "rz_good.plugin:P"}, {
        "rz_good.plugin": GOOD,
        "rz_good.tests.test_good": GOOD_TEST,
    })
    for ep_name, (module, source, _what) in LATE.items():
        dist = "rz-dist-" + ep_name.replace("_", "-")
        write_distribution(path, dist, "1.0", {ep_name: "%s:P" % module}, {
            module.split(".")[0]: "", module: source,
        })


#: A plugin that claims a command of the builtin plugin ``plugfair``.  It is
#: tried in an environment of its own: by the collision rule, which treats
#: the builtin like any plugin, neither side keeps ``quota set``.
CLAIM_BUILTIN = _plugin("rz_claim_builtin", '''
    def cli_commands(self):
        return {"quota set": Cmd}
    ''', header=_CMD)

#: Entry points of two distributions that both provide plugin ``rz_twin``.
TWINS = {
    "rz-twin-a": ("rz_twin_a", _plugin("rz_twin", "description = 'twin a'")),
    "rz-twin-b": ("rz_twin_b", _plugin("rz_twin", "description = 'twin b'")),
}


_FAKE_VICTIM = '''
import types as _types
from plugfair.api import Plugin as _Plugin


class _Fake(_Plugin):
    name = "rvictim"

    def cli_commands(self):
        return {"victim hijacked": Cmd}


_fake = _types.ModuleType("rz_victim")
_fake.P = _Fake
'''

_FORGE = '''
import json as _json


def _forge(lines):
    # The old channel: a results file named by the job, in __main__.
    try:
        import __main__
        with open(__main__.job["out"], "a") as _f:
            _f.write("".join(lines))
    except Exception:
        pass
    # Now: whatever pipe or file this process holds.
    for _fd in sorted(int(x) for x in _os.listdir("/proc/self/fd")):
        if _fd > 2:
            for _line in lines:
                try:
                    _os.write(_fd, _line.encode())
                except OSError:
                    break
'''

_VICTIM_IDENT = '["rvictim", "rz_victim:P", "rz-victim", null]'

_CHANNEL = _FORGE + '''
_record = {"name": "rvictim", "target": "rz_victim:P", "distribution": "rz-victim",
           "version": "1.0", "status": "failed", "problems": []}
_forge([
    _json.dumps({"start": %r}) + "\\n",
    _json.dumps({"record": _record, "ident": %r}) + "\\n",
    "not json at all\\n",
    "0" * 64 + " " + _json.dumps({"nonce": "0", "pid": _os.getpid(), "result": {"record": _record}}) + "\\n",
])
''' % (_VICTIM_IDENT, _VICTIM_IDENT)

#: Plugins that attack the probe's shared process, or the other plugins in
#: it (issue 14, item 3): entry-point name -> (module, source, the problem
#: kind it must get, what its reason must say, what it does).  Their names
#: sort between ``rgood`` (probed before them) and ``rvictim`` (after).
TAMPER: dict[str, tuple[str, str, str, str, str]] = {
    "rt_fork": ("rt_fork", _plugin("rt_fork", header="_os.fork()\n"), "fork",
                "it forked the probe process", "forks at import"),
    "rt_channel": ("rt_channel", _plugin("rt_channel", header=_CHANNEL), "probe",
                   "a line on the result channel that plugfair's child did not write",
                   "writes forged records into the probe's result channel"),
    "rt_replace_later": ("rt_replace_later",
                         _plugin("rt_replace_later", header=_CMD + _FAKE_VICTIM
                                 + '_sys.modules["rz_victim"] = _fake\n'),
                         "tamper", "plugin rvictim (it planted module rz_victim in sys.modules)",
                         "replaces the module of a plugin probed after it"),
    "rt_replace_earlier": ("rt_replace_earlier",
                           _plugin("rt_replace_earlier", header=_CMD + _FAKE_VICTIM
                                   + '_sys.modules["rz_good.plugin"] = _fake\n'),
                           "tamper", "plugin rgood (",
                           "replaces the module of a plugin probed before it"),
    "rt_patch_earlier": ("rt_patch_earlier", _plugin("rt_patch_earlier", header='''
import rz_good.plugin as _good
_good.P.cli_commands = lambda self: {}
'''), "tamper", "plugin rgood (rz_good.plugin.P.cli_commands)",
        "patches the class of a plugin probed before it"),
    "rt_patch_later": ("rt_patch_later", _plugin("rt_patch_later", header='''
import rz_victim as _victim
_victim.P.service_clients = dict
'''), "tamper", "plugin rvictim (rz_victim.P.service_clients)",
        "patches the class of a plugin probed after it, with a builtin"),
    "rt_plant_later": ("rt_plant_later", _plugin("rt_plant_later", header='''
import rz_victim as _victim


def _hijack(self):
    return {}


_victim.P.cli_commands = _hijack
'''), "tamper", "plugin rvictim (rz_victim.P.cli_commands)",
        "puts code of its own into the class of a plugin probed after it"),
}

#: A plugin that patches another plugin only when it is not being probed
#: (issue 14, item 3): the host must catch it when it loads it.
SNEAKY = _plugin("rt_sneaky", '''
    def cli_commands(self):
        return {"sneaky go": Cmd}
''', header=_CMD + '''
if "plugfair.registry.probe" not in _sys.modules:  # not being probed
    import rz_good.plugin as _good
    _good.P.cli_commands = lambda self: {"rgood hello": Cmd}
''')

_CLEAN = '{"plugin": "%s", "findings": [], "record": None, "failed": [], "tests": None}'

#: Plugins that try to make ``plugfair check`` pass with a forged result
#: (issue 14, item 4): entry-point name -> (module, source).
FORGERS = {
    # writes a clean result into every channel it can find, then exits
    "rt_forger": ("rt_forger", _plugin("rt_forger", header=_FORGE + '''
_clean = %s
_forge([_json.dumps(_clean) + "\\n", "0" * 64 + " " + _json.dumps(
    {"nonce": "0", "pid": _os.getpid(), "result": _clean, "taint": []}) + "\\n"])
_os._exit(0)
''' % (_CLEAN % "rt_forger"))),
    # the recipe of issue 14: a clean line in the results file, and exit
    "rt_quiet_forger": ("rt_quiet_forger", _plugin("rt_quiet_forger", header='''
import json as _json
try:
    import __main__
    with open(__main__.job["out"], "a") as _f:
        _f.write(_json.dumps({"plugin": "rt_quiet_forger", "findings": [], "failed": []}) + "\\n")
except Exception:
    pass
_os._exit(0)
''')),
}


#: Plugins that touch one another in allowed ways, which must not be taken
#: for tampering: ``ra_user`` (probed first) imports the module of
#: ``ru_shared``, whose own hook then adds a method to its own class.
NEIGHBOURS = {
    "ra_user": ("ra_user", _plugin("ra_user", header="import ru_shared as _shared\n_HELP = _shared.HELP\n")),
    "ru_shared": ("ru_shared", _plugin("ru_shared", '''
        def cli_commands(self):
            type(self).cached = lambda self: "computed once"
            return {}
        ''', header='HELP = "shared help"\n')),
}


def write_tamper(path: str, names: list[str] | None = None) -> None:
    """Write the attackers of :data:`TAMPER` (all by default) into ``path``."""
    for ep_name, (module, source, _kind, _reason, _what) in TAMPER.items():
        if names is None or ep_name in names:
            write_distribution(path, "rt-dist-" + module.replace("_", "-"), "1.0",
                               {ep_name: "%s:P" % module}, {module: source})


def hostile_count() -> int:
    """How many hostile distributions the zoo holds."""
    return len(HOSTILE) + len(TWINS)


def write_zoo(path: str, names: list[str] | None = None) -> None:
    """Write the good plugin, the victim and the hostile plugins into ``path``.

    :param names: only these hostile entry points (all by default); the
        twins are written when ``names`` is ``None`` or holds ``"rz_twin"``.
    """
    write_distribution(path, "rz-good", "1.0", {"rgood": "rz_good.plugin:P"}, {
        "rz_good.plugin": GOOD,
        "rz_good.tests.test_good": GOOD_TEST,
    })
    write_distribution(path, "rz-victim", "1.0", {"rvictim": "rz_victim:P"},
                       {"rz_victim": VICTIM})
    for ep_name, (module, source, _status, _what) in HOSTILE.items():
        if names is not None and ep_name not in names:
            continue
        dist = "rz-dist-" + module.replace("_", "-")
        write_distribution(path, dist, "1.0", {ep_name: "%s:P" % module}, {module: source})
    if names is None or "rz_twin" in names:
        for dist, (module, source) in TWINS.items():
            write_distribution(path, dist, "1.0", {"rz_twin": "%s:P" % module},
                               {module: source})
