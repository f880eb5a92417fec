"""Every host against the zoo of hostile plugins, with a good one alongside.

The zoo (:mod:`plugfair.tests.reliability.zoo`) is written once per test
process into one directory.  The CLI hosts run as subprocesses with that
directory on ``PYTHONPATH``, their own ``HOME`` and cache, and a timeout,
so neither a hang nor ``os._exit`` can take the test runner down.  The
in-process hosts (registry, service clients, dashboard) use the same
directory on ``sys.path``.

``[plugfair] hook_timeout`` is 1 s and ``[quota] usage_timeout`` 3 s, so
each hang costs a few seconds.  The plugins of plugfair's own tree are
disabled in the configuration: they are not under test, and running their
tests would only make the suite slower.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Any

import fixtures

from plugfair.interface.testing import _forget_modules, _invalidate, write_distribution
from plugfair.tests import base
from plugfair.tests.reliability import figures, zoo

PY = sys.executable
TIMEOUT = 120
IN_TREE = "compute,dns,identity,network,volume"

#: Hostile plugins the registry must mark, by expected status.
MARKED = {n: s for n, (_m, _src, s, _w) in zoo.HOSTILE.items() if s}
#: Hostile plugins that look fine until an on-demand hook is called.
ON_DEMAND = sorted(n for n, (_m, _src, s, _w) in zoo.HOSTILE.items() if not s)


class _Env:
    """One directory: dists, HOME, cache, config, quota store, workspace."""

    def __init__(self, root: str, extra_conf: str = "") -> None:
        self.root = root
        self.dists = os.path.join(root, "dists")
        self.home = os.path.join(root, "home")
        self.cache = os.path.join(root, "cache")
        self.workspace = os.path.join(root, "ws")
        for d in (self.dists, self.home, self.cache):
            os.makedirs(d, exist_ok=True)
        self.db = os.path.join(root, "quota.sqlite")
        self.conf = os.path.join(root, "plugfair.conf")
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(
                "[plugfair]\nhook_timeout = %s\ndisabled_plugins = %s\n"
                "[quota]\nconnection = sqlite:///%s\nusage_timeout = %s\n%s"
                % (zoo.HOOK_TIMEOUT, IN_TREE, self.db, zoo.USAGE_TIMEOUT, extra_conf)
            )

    def cli(self, *argv: str, timeout: float = TIMEOUT) -> tuple[int, str, str]:
        env = dict(os.environ)
        env.update(
            PYTHONPATH=self.dists,
            HOME=self.home,
            PLUGFAIR_CACHE_DIR=self.cache,
            XDG_DATA_HOME=os.path.join(self.home, "data"),
            PYTHONIOENCODING="utf-8",
        )
        env.pop("PLUGFAIR_NO_CACHE", None)
        proc = subprocess.run(
            [PY, "-m", "plugfair.cli.main", "--config-file", self.conf, *argv],
            env=env,
            capture_output=True,
            timeout=timeout,
            cwd=self.root,
        )
        return (
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )


_ENVS: dict[str, _Env] = {}


def _root(prefix: str) -> str:
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, True)
    return path


def zoo_env() -> _Env:
    """The whole zoo, written and prepared once per process."""
    if "zoo" not in _ENVS:
        env = _Env(_root("plugfair-rz-"))
        zoo.write_zoo(env.dists)
        rc, out, err = env.cli("quota", "db", "upgrade")
        assert rc == 0, (rc, out, err)
        rc, out, err = env.cli("workspace", "init", env.workspace)
        assert rc == 0, (rc, out, err)
        _ENVS["zoo"] = env
        # every test process builds the zoo: state its size, do not add it up
        figures.put("hostile", zoo_distributions=zoo.hostile_count())
    return _ENVS["zoo"]


def _json(out: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads(out)
    return result


class ZooTestCase(base.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.env = zoo_env()


class TestDiscoveryHosts(ZooTestCase):
    def test_plugin_list_marks_each_hostile_plugin(self):
        rc, out, err = self.env.cli("plugin", "list", "-f", "json")
        self.assertEqual(0, rc, err)
        status: dict[str, list[str]] = {}
        for row in _json(out):
            status.setdefault(row["Name"], []).append(row["Status"])
        self.assertEqual(["ok"], status["rgood"])
        self.assertEqual(["ok"], status["plugfair"])
        for name, expected in MARKED.items():
            self.assertEqual([expected], status.get(name), name)
        for name in ON_DEMAND:
            self.assertIn(status.get(name), (["ok"], ["failed"]), name)
        self.assertEqual(["conflict", "conflict"], status["rz_twin"])
        # the victim of the claims is in conflict too: nobody wins silently
        self.assertEqual(["conflict"], status["rvictim"])

    def test_doctor_gives_a_reason_for_each(self):
        rc, out, err = self.env.cli("plugin", "doctor", "-f", "json")
        self.assertEqual(1, rc, err)
        reasons: dict[str, str] = {}
        for row in _json(out):
            if row["Status"].endswith("(warning)"):
                continue  # e.g. no api_version declared: not a problem
            reasons[row["Plugin"]] = reasons.get(row["Plugin"], "") + row["Problem"]
        expect = {
            "rz_import_error": "needs libfoo",
            "rz_sys_exit": "sys.exit(3)",
            "rz_os_exit": "exit status 7",
            "rz_hang_import": "did not finish within 1 s",
            "rz_hang_hook": "did not finish within 1 s",
            "rz_raise_init": "broke in __init__",
            "rz_raise_config": "broke in config_options",
            "rz_raise_services": "broke in service_clients",
            "rz_raise_commands": "broke in cli_commands",
            "rz_raise_tests": "broke in test_package",
            "rz_raise_quota": "broke in quota_resources",
            "rz_exit_hook": "sys.exit(4)",
            "rz_wrong_config": "returned int",
            "rz_wrong_services": "returned list",
            "rz_wrong_commands": "not a command class",
            "rz_wrong_tests": "b'pkg'",
            "rz_wrong_quota": "is not a plugfair.api.QuotaResource",
            "rz_foreign_group": "group [rgood], which it does not own",
            "rz_claim_group": "config group 'rvictim'",
            "rz_claim_command": "command 'victim go'",
            "rz_claim_service": "service 'victimsvc'",
            "rz_claim_quota": "'rvictim.cores' is invalid",
            "rz_patcher": "changes plugfair internals",
            "rz_mismatch": "P.name is 'rz_other_name'",
            "rz_no_name": "P.name is ''",
            "r\u00fcnicode": "not a lowercase identifier",
            "rz_" + "long" * 20: "at most 40 characters",
            "rz_unicode_cmd": "caf\u00e9 list",
            "rz_long_quota": "is invalid",
            "rz_twin": "plugin name 'rz_twin'",
        }
        self.assertEqual(sorted(set(MARKED) | {"rz_twin"}), sorted(expect))
        for name, needle in expect.items():
            self.assertIn(needle, reasons.get(name, "<no problem reported>"), name)
        self.assertNotIn("rgood", reasons)
        figures.put("hostile", reported_by_doctor=len(expect))

    def test_strict_fails_and_names_every_bad_plugin(self):
        for argv in (("plugin", "list"), ("list-tests", "--workspace", self.env.workspace),
                     ("quota", "list")):
            rc, out, err = self.env.cli("--strict", *argv)
            self.assertEqual(1, rc, repr((argv, err[-2000:])))
            for name in list(MARKED) + ["rz_twin"]:
                self.assertIn(name, err, repr(argv))
            self.assertNotIn("rgood,", err)

    def test_help_lists_the_good_and_leaves_out_the_bad(self):
        rc, out, err = self.env.cli("--help")
        self.assertEqual(0, rc, err)
        # the help may end with a summary of the plugins' problems, which
        # names the contested command: look at the command list only
        commands = out.split("Commands", 1)[-1].split("have problems", 1)[0]
        contested = commands.split("Contested commands", 1)[-1]
        commands = commands.split("Contested commands", 1)[0]
        self.assertIn("rgood hello", commands)
        self.assertIn("claimer solo", commands)  # its uncontested command stays
        self.assertNotIn("victim go", commands)  # contested: neither side has it
        # ... but each side's stays reachable under its plugin's name
        self.assertIn("rvictim victim go", contested)
        self.assertIn("rz_claim_command victim go", contested)
        self.assertNotIn("x y", commands)
        self.assertNotIn("Traceback", err)
        rc, out, err = self.env.cli("--strict", "--help")
        self.assertEqual(1, rc)
        self.assertIn("plugin doctor", err)

    def test_the_good_command_runs_and_the_contested_one_is_explained(self):
        rc, out, err = self.env.cli("rgood", "hello")
        self.assertEqual((0, "Hello from rgood\n"), (rc, out), err)
        rc, out, err = self.env.cli("victim", "go")
        self.assertEqual(1, rc)
        self.assertIn("rz_claim_command", err)
        self.assertNotIn("Traceback", err)

    def test_a_hostile_plugin_cannot_patch_the_host(self):
        # The patcher replaces Registry.names and QuotaService.set at import.
        # It is refused by the probe and never imported by the host, so
        # quota set still writes.
        rc, out, err = self.env.cli("quota", "set", "--project", "patched", "rgood.widgets=7")
        self.assertEqual(0, rc, err)
        rc, out, err = self.env.cli("quota", "show", "--project", "patched", "--plugin", "rgood",
                                    "-f", "json")
        self.assertEqual(0, rc, err)
        self.assertEqual(7, _json(out)[0]["Limit"])


class TestQuotaHost(ZooTestCase):
    def test_quota_list_has_the_good_and_no_failed_plugin(self):
        rc, out, err = self.env.cli("quota", "list", "-f", "json")
        self.assertEqual(0, rc, err)
        plugins = {row["Plugin"] for row in _json(out)}
        self.assertIn("rgood", plugins)
        self.assertFalse(plugins & set(MARKED), plugins & set(MARKED))

    def test_quota_show_reports_each_bad_usage_callback(self):
        rc, out, err = self.env.cli("quota", "show", "--project", "p1")
        self.assertEqual(0, rc, err)
        row = [line for line in out.splitlines() if re.match(r"\| rgood +\| widgets", line)]
        self.assertEqual(1, len(row), out[-3000:])
        self.assertRegex(row[0], r"\|\s+2 \|")  # the good plugin's usage is counted
        for name, needle in (
            ("rz_raise_usage", "raised RuntimeError"),
            ("rz_exit_usage", "raised SystemExit"),
            ("rz_hang_usage", "did not return within 3 s"),
            ("rz_wrong_usage", "it must be an integer >= 0"),
        ):
            self.assertRegex(err, r"Usage of plugin %s is unknown: .*%s" % (name, re.escape(needle)))
        self.assertNotIn("Traceback", err)

    def test_quota_show_json_is_not_polluted_by_a_loud_plugin(self):
        rc, out, err = self.env.cli("quota", "show", "--project", "p1", "--plugin", "rgood",
                                    "-f", "json")
        self.assertEqual(0, rc, err)
        self.assertEqual([2], [r["In Use"] for r in _json(out)])
        # A plugin that prints in quota_usage (or at import) must not break
        # the machine-readable output: its text goes to standard error.
        rc, out, err = self.env.cli("quota", "show", "--project", "p1", "-f", "json")
        self.assertEqual(0, rc, err)
        rows = _json(out)
        self.assertIn("rgood", {r["Plugin"] for r in rows})

    def test_quota_set_refuses_keys_of_failed_plugins_and_writes_nothing(self):
        rc, out, err = self.env.cli("quota", "set", "--project", "p2", "rgood.widgets=3",
                                    "rz_raise_quota.things=1")
        self.assertEqual(1, rc)
        self.assertIn("rz_raise_quota", err)
        rc, out, err = self.env.cli("quota", "show", "--project", "p2", "--plugin", "rgood",
                                    "-f", "json")
        self.assertEqual(0, rc, err)
        self.assertEqual([10], [r["Limit"] for r in _json(out)])


class TestTestHost(ZooTestCase):
    def test_list_tests_lists_the_good_plugins_tests(self):
        rc, out, err = self.env.cli("list-tests", "--workspace", self.env.workspace)
        self.assertEqual(0, rc, err[-2000:])
        ids = out.split()
        self.assertIn("rz_good.tests.test_good.TestGood.test_fine", ids)
        # each hostile plugin gets contract tests that will say why it fails
        self.assertIn("plugfair.contract.rz_raise_config.test_loads", ids)
        self.assertNotIn("Traceback", err)

    def test_run_passes_the_good_plugin_and_fails_the_bad_with_a_reason(self):
        rc, out, err = self.env.cli("run", "--workspace", self.env.workspace,
                                    "--plugin", "rgood")
        self.assertEqual(0, rc, repr((out[-3000:], err[-2000:])))
        self.assertRegex(out, r"rz_good\.tests\.test_good\.TestGood\.test_fine .*ok")
        rc, out, err = self.env.cli(
            "run", "--workspace", self.env.workspace, "--plugin", "rgood",
            "--plugin", "rz_raise_config", "--plugin", "rz_twin", "--plugin", "rz_hang_usage",
        )
        self.assertEqual(1, rc, err[-2000:])
        self.assertRegex(out, r"rz_good\.tests\.test_good\.TestGood\.test_fine .*ok")
        self.assertRegex(out, r"plugfair\.contract\.rz_raise_config\.test_loads .*FAILED")
        self.assertIn("rz_raise_config broke in config_options", out)
        self.assertRegex(out, r"plugfair\.contract\.rz_twin\.test_loads .*FAILED")


class TestConformanceHost(ZooTestCase):
    def test_check_passes_the_good_and_reports_each_bad_in_a_child(self):
        rc, out, err = self.env.cli("check", "--no-list-tests", "--timeout", "5",
                                    "--hook-timeout", "1", "rgood")
        self.assertEqual(0, rc, out + err)
        bad = ("rz_raise_config", "rz_hang_hook", "rz_os_exit", "rz_sys_exit", "rz_patcher",
               "rz_exit_usage", "rz_foreign_group")
        rc, out, err = self.env.cli("check", "--no-list-tests", "--timeout", "5",
                                    "--hook-timeout", "1", "--format", "json", "rgood", *bad)
        self.assertEqual(1, rc, err)
        text = out
        for module in bad:
            self.assertIn("%s.py" % module, text)
        self.assertNotIn("rz_good", text)
        self.assertIn("PF003", text)  # the patcher's assignments, found statically


class TestInProcessHosts(ZooTestCase):
    """Registry, service clients and the dashboard, in this process."""

    def setUp(self) -> None:
        super().setUp()
        sys.path.insert(0, self.env.dists)
        self.addCleanup(sys.path.remove, self.env.dists)
        self.addCleanup(_forget_modules, self.env.dists)
        _invalidate()
        self.addCleanup(_invalidate)
        # a loud plugin prints megabytes: keep them out of the test output
        # (the quota service sends what usage callbacks print to stderr)
        self.out = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch("sys.stdout", self.out))
        self.err = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch("sys.stderr", self.err))
        self.useFixture(fixtures.EnvironmentVariable("PLUGFAIR_CACHE_DIR", self.env.cache))
        from plugfair.config.loader import build_conf
        from plugfair.registry.core import Registry

        self.conf = build_conf([self.env.conf])
        self.registry = Registry.discover(self.conf)

    def test_service_clients(self):
        from plugfair.api import PluginCollision, PluginLoadError, PluginNotFound

        self.assertEqual("rgood-client:Hello", self.registry.service_client("rgood"))
        with self.assertRaises(PluginLoadError) as ctx:
            self.registry.service_client("raisesvc")
        self.assertIn("broke in its client factory", str(ctx.exception))
        with self.assertRaises(PluginLoadError) as ctx:
            self.registry.service_client("hangsvc")
        self.assertIn("did not return within 1 s", str(ctx.exception))
        with self.assertRaises(PluginCollision):
            self.registry.service_client("victimsvc")
        with self.assertRaises(PluginNotFound):
            self.registry.service_client("svc")  # the wrong_services plugin's
        # and the good one still works after all that
        self.assertEqual("rgood-client:Hello", self.registry.service_client("rgood"))

    def test_dashboard(self):
        from plugfair.dashboard.app import create_app
        from plugfair.quota.service import QuotaService
        from plugfair.registry.core import Registry

        service = QuotaService(self.registry, self.conf)
        app = create_app(service, self.conf)
        app.testing = True
        client = app.test_client()
        page = client.get("/?project=p1")
        self.assertEqual(200, page.status_code)
        html = page.get_data(as_text=True)
        self.assertIn("rgood", html)
        for name in ON_DEMAND:
            if name in ("rz_raise_factory", "rz_hang_factory"):
                continue  # no quota: not on the dashboard
            self.assertIn(name, html)
        answer = client.get("/api/v1/quotas?project=p1")
        self.assertEqual(200, answer.status_code)
        body = answer.get_json()
        text = json.dumps(body)
        self.assertIn("rgood", text)
        problems = {p["name"]: p["reason"] for p in body["problems"]}
        for name in list(MARKED) + ["rz_twin"]:
            self.assertTrue(problems.get(name), name)  # reported, with a reason
        self.assertNotIn("rgood", problems)
        rows = _find_rows(body)
        self.assertFalse([k for k in rows if k.startswith("rz_raise_config")])
        self.assertEqual(2, rows["rgood.widgets"].get("in_use"), repr(rows["rgood.widgets"]))
        for key in ("rz_raise_usage.things", "rz_exit_usage.things", "rz_hang_usage.naps",
                    "rz_wrong_usage.things"):
            self.assertIsNone(rows[key].get("in_use"), key)
        page = client.get("/plugins/rgood?project=p1")
        self.assertEqual(200, page.status_code)
        # what the loud plugin printed went to (captured) stderr, cut, and
        # not into the answers
        loud = "x" * 1024
        self.assertIn(loud, self.err.getvalue())
        self.assertIn("were dropped", self.err.getvalue())
        self.assertNotIn(loud, html + text + page.get_data(as_text=True))
        self.assertEqual(404, client.get("/plugins/rz_raise_config?project=p1").status_code)
        # nothing the plugins did changed the host's classes
        self.assertNotEqual(["rz_patcher"], Registry.discover(self.conf).names())


def _find_rows(body: object) -> dict[str, dict[str, Any]]:
    """key -> row, wherever the rows sit in the API's answer."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "key" in node:
                found[str(node["key"])] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body)
    return found


class TestClaimingABuiltinCommand(base.TestCase):
    """The builtin plugin is judged like any other: a claim on its command
    is a collision, reported with both names, and neither side keeps it."""

    def test_claim(self):
        if "builtin" not in _ENVS:
            env = _Env(_root("plugfair-rz-builtin-"))
            write_distribution(env.dists, "rz-claim-builtin", "1.0",
                               {"rz_claim_builtin": "rz_claim_builtin:P"},
                               {"rz_claim_builtin": zoo.CLAIM_BUILTIN})
            _ENVS["builtin"] = env
        env = _ENVS["builtin"]
        rc, out, err = env.cli("quota", "set", "--project", "p", "x.y=1")
        self.assertEqual(1, rc)
        self.assertIn("rz_claim_builtin", err)
        self.assertIn("plugfair", err)
        rc, out, err = env.cli("--strict", "plugin", "list")
        self.assertEqual(1, rc)
        self.assertIn("rz_claim_builtin", err)
        rc, out, err = env.cli("quota", "list")
        self.assertEqual(0, rc, err)  # the builtin's other commands still work
        figures.put("hostile", builtin_claimers=1)
