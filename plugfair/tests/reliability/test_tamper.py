"""Plugins that attack the probe's shared process, and ``plugfair check``.

Issue 14, item 3: at import a plugin can fork, write into the probe's
result channel, replace another plugin's module in ``sys.modules``, patch
another plugin's class, or patch only when it is not being probed.  Item
4: a checked wheel whose import writes a clean result and exits.

Each attacker is a real distribution (:data:`zoo.TAMPER`,
:data:`zoo.SNEAKY`, :data:`zoo.FORGERS`).  The good plugin ``rgood`` is
probed before the attackers and ``rvictim`` after them, and the tests
check that every other plugin's record is exactly what it is without the
attackers installed, and that each attacker is failed with a reason that
names what it did.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from plugfair.interface.testing import write_distribution
from plugfair.registry import manifest
from plugfair.registry.records import PluginRecord
from plugfair.tests import base
from plugfair.tests.reliability import figures, zoo
from plugfair.tests.reliability.test_hostile import _ENVS, _Env, _root

#: Probe timeout of these tests (no attacker hangs).
TIMEOUT = 5.0


class _Probed:
    """The good plugins alone, and with the attackers: probed once."""

    def __init__(self) -> None:
        self.root = _root("plugfair-rt-")
        self.good = os.path.join(self.root, "good")
        self.bad = os.path.join(self.root, "bad")
        os.makedirs(self.good)
        os.makedirs(self.bad)
        zoo.write_zoo(self.good, names=[])
        zoo.write_tamper(self.bad)
        path = [p for p in sys.path if p]
        self.clean = manifest.build([self.good, *path], timeout=TIMEOUT)
        self.attacked = manifest.build([self.good, self.bad, *path], timeout=TIMEOUT)


_PROBED: list[_Probed] = []


def probed() -> _Probed:
    if not _PROBED:
        _PROBED.append(_Probed())
    return _PROBED[0]


def _by_name(records: list[PluginRecord]) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for rec in records:
        out.setdefault(rec.name, []).append(rec.to_dict())
    return out


class TestProbeIsolation(base.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.probed = probed()

    def test_every_other_record_is_unchanged(self):
        clean, attacked = _by_name(self.probed.clean), _by_name(self.probed.attacked)
        self.assertIn("rgood", clean)
        self.assertIn("rvictim", clean)
        self.assertEqual(sorted(clean) + [], sorted(set(attacked) - set(zoo.TAMPER)))
        for name, records in clean.items():
            self.assertEqual(records, attacked[name], name)
        # one record each: a fork did not make later plugins duplicates
        self.assertEqual(len(self.probed.clean) + len(zoo.TAMPER), len(self.probed.attacked))
        figures.put("tamper", probe_attackers=len(zoo.TAMPER))

    def test_each_attacker_is_failed_with_a_reason_naming_what_it_did(self):
        attacked = {rec.name: rec for rec in self.probed.attacked}
        for name, (_module, _source, kind, reason, what) in zoo.TAMPER.items():
            rec = attacked[name]
            self.assertEqual("failed", rec.status, "%s (%s)" % (name, what))
            self.assertIn(kind, [p.kind for p in rec.problems], "%s (%s)" % (name, what))
            text = " ".join(p.reason for p in rec.problems)
            self.assertIn(reason, text, "%s (%s)" % (name, what))

    def test_the_victims_keep_their_own_code(self):
        attacked = {rec.name: rec for rec in self.probed.attacked}
        self.assertEqual({"victim go": "Go, victim."}, attacked["rvictim"].commands)
        self.assertEqual(["victimsvc"], attacked["rvictim"].services)
        self.assertEqual(["rgood hello"], list(attacked["rgood"].commands))


class TestNoFalseAlarms(base.TestCase):
    def test_importing_a_neighbour_and_changing_ones_own_class_are_fine(self):
        root = _root("plugfair-ru-")
        for ep_name, (module, source) in zoo.NEIGHBOURS.items():
            write_distribution(root, "rt-" + module.replace("_", "-"), "1.0", {ep_name: "%s:P" % module},
                               {module: source})
        found = manifest.build([root] + [p for p in sys.path if p], timeout=TIMEOUT)
        mine = {rec.name: (rec.status, [p.reason for p in rec.problems]) for rec in found if rec.name in zoo.NEIGHBOURS}
        self.assertEqual({"ra_user": ("ok", []), "ru_shared": ("ok", [])}, mine)


class TestChannelAttackOnTheCLI(base.TestCase):
    """A plugin that writes into the result channel breaks nothing: not
    ``--help``, not the cached manifest, not a later run."""

    def setUp(self) -> None:
        super().setUp()
        if "channel" not in _ENVS:
            env = _Env(_root("plugfair-rt-cli-"))
            zoo.write_zoo(env.dists, names=[])
            zoo.write_tamper(env.dists, ["rt_channel", "rt_fork"])
            _ENVS["channel"] = env
        self.env = _ENVS["channel"]

    def test_help_and_doctor(self):
        for _ in range(2):  # cold, then from the cache
            rc, out, err = self.env.cli("--help")
            self.assertEqual(0, rc, err[-2000:])
            self.assertIn("rgood hello", out)
            self.assertIn("victim go", out)
            self.assertNotIn("Traceback", err)
        rc, out, err = self.env.cli("plugin", "doctor", "-f", "json")
        self.assertEqual(1, rc, err)
        problems = {row["Plugin"]: row["Problem"] for row in json.loads(out)
                    if not row["Status"].endswith("(warning)")}
        self.assertEqual(["rt_channel", "rt_fork"], sorted(problems))
        self.assertIn("did not write", problems["rt_channel"])
        self.assertIn("forked the probe process", problems["rt_fork"])
        rc, out, err = self.env.cli("rgood", "hello")
        self.assertEqual((0, "Hello from rgood\n"), (rc, out), err)


class TestSneakyPatcher(base.TestCase):
    """A plugin that patches another plugin only when it is not probed is
    caught when a host loads it; the doctor names it from then on."""

    def setUp(self) -> None:
        super().setUp()
        if "sneaky" not in _ENVS:
            env = _Env(_root("plugfair-rt-sneaky-"))
            zoo.write_zoo(env.dists, names=[])
            write_distribution(env.dists, "rt-sneaky", "1.0", {"rt_sneaky": "rt_sneaky:P"},
                               {"rt_sneaky": zoo.SNEAKY})
            _ENVS["sneaky"] = env
        self.env = _ENVS["sneaky"]

    def test_caught_at_load_and_named_by_the_doctor(self):
        # The probe cannot see it: it behaves while probed.
        rc, out, err = self.env.cli("plugin", "show", "rt_sneaky", "-f", "json")
        self.assertEqual(0, rc, err)
        self.assertEqual("ok", json.loads(out)["status"])
        # Loading it into a host is refused, with what it changed.
        rc, out, err = self.env.cli("sneaky", "go")
        self.assertEqual(1, rc, out + err)
        self.assertIn("rt_sneaky", err)
        self.assertIn("plugin rgood (rz_good.plugin.P.cli_commands)", err)
        self.assertNotIn("Traceback", err)
        # From then on every command refuses it before importing it.
        rc, out, err = self.env.cli("plugin", "doctor", "rt_sneaky", "-f", "json")
        self.assertEqual(1, rc, err)
        (row,) = [r for r in json.loads(out) if not r["Status"].endswith("(warning)")]
        self.assertEqual("rt_sneaky", row["Plugin"])
        self.assertIn("changes what is not its own", row["Problem"])
        rc, out, err = self.env.cli("sneaky", "go")
        self.assertEqual(1, rc)
        self.assertIn("plugfair plugin doctor rt_sneaky", err)
        rc, out, err = self.env.cli("rgood", "hello")
        self.assertEqual((0, "Hello from rgood\n"), (rc, out), err)


class TestLoadsInABatch(base.TestCase):
    """Registry.load_all checks each load against what the one before it
    left: a plugin that patches an earlier one is still refused."""

    def test_a_patcher_loaded_in_a_batch_is_refused(self):
        import fixtures

        from plugfair.registry.core import Registry
        from plugfair.registry.records import STATUS_OK

        found = probed()  # the attackers, probed once
        path = [found.good, found.bad] + [p for p in sys.path if p]
        self.useFixture(fixtures.MonkeyPatch("sys.path", path))
        self.addCleanup(_forget, ("rz_", "rt_"))
        records = []
        for rec in found.attacked:
            if rec.name == "rt_patch_earlier":  # as if the probe had not seen it
                rec = rec.copy()
                rec.status, rec.problems = STATUS_OK, []
            records.append(rec)
        registry = Registry(records)
        failed = registry.load_all(["rgood", "rt_patch_earlier", "rvictim"])
        self.assertEqual(["rt_patch_earlier"], sorted(failed))
        self.assertIn("plugin rgood (rz_good.plugin.P.cli_commands)", failed["rt_patch_earlier"])
        self.assertEqual("failed", registry.get("rt_patch_earlier").status)

    def test_each_load_in_a_batch_is_judged_on_its_own_changes(self):
        # A plugin that patches plugfair is refused; the one loaded right
        # after it, and one that only imports a plugfair module that was
        # not imported yet, are not blamed for it.
        import fixtures

        import plugfair.interface.text as text
        from plugfair.registry.core import Registry
        from plugfair.registry.records import STATUS_OK

        site = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.MonkeyPatch("plugfair.interface.text.printable", text.printable))
        sources = {
            "rb_first": "",
            "rb_patch": "import plugfair.interface.text as _t\n_t.printable = lambda s: s\n",
            "rb_after": "",
            "rb_imports": "import plugfair.interface.fakehost\n",
            "rb_last": "",
        }
        for name, header in sources.items():
            write_distribution(site, name.replace("_", "-"), "1.0", {name: "%s:P" % name},
                               {name: zoo._plugin(name, header=header)})
        self.useFixture(fixtures.MonkeyPatch("sys.path", [site] + [p for p in sys.path if p]))
        self.addCleanup(_forget, ("rb_",))
        path = [site] + [p for p in sys.path if p]
        records = [r for r in manifest.build(path, timeout=TIMEOUT) if r.name in sources]
        self.assertEqual(sorted(sources), sorted(r.name for r in records))
        for rec in records:  # as if the probe had not seen the patch
            rec.status, rec.problems = STATUS_OK, []
        # as if plugfair.interface.fakehost had never been imported here
        import plugfair.interface.fakehost  # noqa: F401 - to put it back afterwards

        self.useFixture(fixtures.MonkeyPatch("plugfair.interface.fakehost",
                                             fixtures.MonkeyPatch.delete))
        self.addCleanup(sys.modules.__setitem__, "plugfair.interface.fakehost",
                        sys.modules.pop("plugfair.interface.fakehost"))
        registry = Registry(records)
        failed = registry.load_all(list(sources))
        self.assertEqual(["rb_patch"], sorted(failed), str(failed))
        self.assertIn("plugfair internals (plugfair.interface.text.printable)", failed["rb_patch"])
        for name in ("rb_first", "rb_after", "rb_imports", "rb_last"):
            self.assertEqual("ok", registry.get(name).status, name)


def _forget(prefixes: tuple[str, ...]) -> None:
    for name in [m for m in sys.modules if m.startswith(prefixes)]:
        del sys.modules[name]


class TestForgedCheck(base.TestCase):
    """``plugfair check`` of a wheel that forges a clean result fails."""

    def setUp(self) -> None:
        super().setUp()
        if "forgers" not in _ENVS:
            env = _Env(_root("plugfair-rt-check-"))
            zoo.write_zoo(env.dists, names=[])
            for ep_name, (module, source) in zoo.FORGERS.items():
                write_distribution(env.dists, "rt-" + module.replace("_", "-"), "1.0",
                                   {ep_name: "%s:P" % module}, {module: source})
            _ENVS["forgers"] = env
        self.env = _ENVS["forgers"]

    def check(self, *names: str) -> tuple[int, dict[str, Any], str]:
        rc, out, err = self.env.cli("check", "--no-list-tests", "--timeout", "30", "--hook-timeout", "2",
                                    "--select", "PF1", "--format", "json", *names)
        return rc, json.loads(out) if out.strip() else {}, err

    def test_a_clean_plugin_passes(self):
        rc, report, err = self.check("rgood")
        self.assertEqual(0, rc, err)
        self.assertEqual([], report["violations"])

    def test_each_forger_fails_with_a_violation_naming_it(self):
        for name in zoo.FORGERS:
            rc, report, err = self.check(name)
            self.assertEqual(1, rc, "%s: %s" % (name, err))
            found = [(v["code"], v["name"], v["message"]) for v in report["violations"]]
            self.assertEqual(["PF104"], [code for code, _n, _m in found], name)
            self.assertEqual([name], [n for _c, n, _m in found])
            self.assertIn("in a child process failed", found[0][2])
        figures.put("tamper", check_forgers=len(zoo.FORGERS))
