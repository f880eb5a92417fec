"""The same result from any directory: plugfair's child processes.

A directory holding a ``plugfair/`` folder or a ``json.py`` must not
change what the manifest probe or the conformance checks see (issue 11,
item 3: false PF105 violations when run from such a directory).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import fixtures

from plugfair.conformance.check import CheckRequest, run_check
from plugfair.registry import childproc, manifest
from plugfair.registry.childproc import host
from plugfair.tests import base

#: Files that shadow plugfair and the standard library when the current
#: directory is on ``sys.path``.  The empty ``plugfair_plugins`` folder is
#: a namespace package that hides nothing but must not confuse anything.
HOSTILE = {
    "plugfair/__init__.py": "raise ImportError('plugfair imported from the current directory')\n",
    "json.py": "raise ImportError('json imported from the current directory')\n",
    "plugfair_plugins/.keep": "",
}


class HostileDirectory(fixtures.Fixture):
    """Make a directory that shadows plugfair and ``json``, and enter it.

    :param empty_package: make ``plugfair/`` an empty folder (a namespace
        package, the case from the issue) instead of a broken package.
    """

    def __init__(self, *, empty_package: bool = False) -> None:
        super().__init__()
        self.empty_package = empty_package

    def _setUp(self) -> None:
        self.path = self.useFixture(fixtures.TempDir()).path
        for rel, text in HOSTILE.items():
            if self.empty_package and rel.startswith("plugfair/"):
                os.makedirs(os.path.join(self.path, "plugfair"), exist_ok=True)
                continue
            target = os.path.join(self.path, *rel.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
        self.addCleanup(os.chdir, os.getcwd())
        os.chdir(self.path)


class TestChildPath(base.TestCase):
    """The helpers every child process is started with."""

    def test_command_keeps_the_current_directory_off_the_path(self):
        argv = childproc.python_command("pass")
        self.assertEqual([sys.executable, "-P", "-c", "pass"], argv)

    def test_child_really_has_no_cwd_entry(self):
        cwd = self.useFixture(HostileDirectory()).path
        out = subprocess.run(
            childproc.python_command("import sys; print(repr(sys.path))"),
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout
        path = eval(out)  # noqa: S307 - our own repr of a list of str
        self.assertNotIn("", path)
        self.assertNotIn(cwd, path)

    def test_empty_and_relative_entries_become_absolute(self):
        cwd = self.useFixture(HostileDirectory()).path
        got = childproc.child_sys_path(["", "lib", "/abs/one", ".", "/abs/one"])
        self.assertEqual([cwd, os.path.join(cwd, "lib"), "/abs/one"], got)

    def test_default_is_sys_path_without_empty_entries(self):
        self.useFixture(fixtures.MonkeyPatch("sys.path", ["", "/x"]))
        got = childproc.child_sys_path()
        self.assertEqual([os.getcwd(), "/x"], got)
        self.assertEqual(["", "/x"], sys.path)  # the argument is not changed


class TestFromAnyDirectory(base.TestCase):
    """Run the probe and the conformance checks from a hostile directory."""

    def test_manifest_probe(self):
        neutral = [(r.name, r.status, [p.reason for p in r.problems]) for r in manifest.load(use_cache=False).records]
        self.useFixture(HostileDirectory())
        hostile = [(r.name, r.status, [p.reason for p in r.problems]) for r in manifest.load(use_cache=False).records]
        self.assertEqual(neutral, hostile)
        self.assertNotIn("plugfair_probe", [name for name, _s, _p in hostile])

    def test_check_core_in_process(self):
        for empty in (True, False):
            self.useFixture(HostileDirectory(empty_package=empty))
            result = run_check(CheckRequest(core=True, select=["PF1"]))
            self.assertEqual([], [v.message for v in result.violations], "empty plugfair/: %s" % empty)

    def test_check_core_command(self):
        """The user-visible case: the ``plugfair`` command from such a directory."""
        exe = os.path.join(os.path.dirname(sys.executable), "plugfair")
        if not os.path.exists(exe):
            self.skipTest("the plugfair console script is not installed beside %s" % sys.executable)
        where = self.useFixture(HostileDirectory(empty_package=True)).path
        proc = subprocess.run(
            [exe, "check", "--core", "--select", "PF1", "--format", "json"],
            capture_output=True, text=True, timeout=600, cwd=where,
        )
        self.assertEqual(0, proc.returncode, proc.stdout + proc.stderr)
        self.assertEqual([], json.loads(proc.stdout)["violations"])


TOYS = "plugfair.tests.foundation.childtoys:handler"


def _units(*specs):
    return [host.Unit(name, dict(spec, name=name)) for name, spec in specs]


class TestRunUnits(base.TestCase):
    """The helper itself, with toy handlers (childtoys): one deadline, one
    channel, and the host's own bookkeeping."""

    def run_units(self, *specs, timeout=5.0, **kwargs):
        job = {"sys_path": childproc.child_sys_path()}
        job.update(kwargs.pop("job", {}))
        return host.run_units(TOYS, job, _units(*specs), timeout=timeout, **kwargs)

    def test_answers_come_back_in_one_child(self):
        out = self.run_units(("a", {}), ("b", {}), ("c", {}))
        self.assertEqual(["a", "b", "c"], list(out))
        self.assertEqual({"a", "b", "c"}, {o.result["name"] for o in out.values()})
        self.assertEqual(1, len({o.result["pid"] for o in out.values()}))
        self.assertEqual(["", "", ""], [o.kind for o in out.values()])

    def test_hang_and_exit_are_blamed_on_their_unit_only(self):
        out = self.run_units(("a", {}), ("hangs", {"do": "hang"}), ("b", {}), ("exits", {"do": "exit"}),
                             ("c", {}), timeout=1.0)
        self.assertEqual(("hang", "it did not finish within 1 s"), (out["hangs"].kind, out["hangs"].why))
        self.assertEqual("exit", out["exits"].kind)
        self.assertIn("exit status 7", out["exits"].why)
        for name in "abc":
            self.assertEqual("", out[name].kind, name)
            self.assertIsNotNone(out[name].result, name)

    def test_the_deadline_starts_when_the_unit_starts(self):
        # prepare (loading a host again, say) has the start-up allowance
        out = self.run_units(("a", {"prepare": 1.5}), timeout=1.0)
        self.assertEqual("", out["a"].kind, out["a"].why)
        out = self.run_units(("a", {"prepare": 6}), timeout=1.0, startup=2.5)
        self.assertEqual(("hang", "the child did not start it within 2.5 s"), (out["a"].kind, out["a"].why))

    def test_a_line_the_child_did_not_sign_is_forged(self):
        out = self.run_units(("a", {}), ("junk", {"do": "junk"}), ("b", {}))
        self.assertEqual("forged", out["junk"].kind)
        self.assertIn("that plugfair's child did not write", out["junk"].why)
        self.assertIsNone(out["junk"].result)
        self.assertEqual(["a", "b"], [n for n, o in out.items() if o.result is not None])

    def test_a_fork_is_reported_and_the_child_replaced(self):
        out = self.run_units(("a", {}), ("forks", {"do": "fork"}), ("b", {}))
        self.assertIn("fork: it forked the process 1 time(s)", out["forks"].taint)
        self.assertNotEqual(out["a"].result["pid"], out["b"].result["pid"])  # a fresh child
        self.assertEqual("", out["b"].kind)

    def test_leftovers_replace_the_child(self):
        out = self.run_units(("threads", {"do": "thread"}), ("b", {}), ("asks", {"do": "taint"}), ("c", {}))
        self.assertEqual(["it left 1 thread(s) running"], out["threads"].taint)
        self.assertEqual(["asked to be replaced"], out["asks"].taint)
        pids = [out[n].result["pid"] for n in ("threads", "b", "c")]
        self.assertEqual(3, len(set(pids)))

    def test_a_death_after_a_turn_is_not_blamed_on_the_next_unit(self):
        # "alarm" kills its process a moment after its turn, while "slow"
        # runs: slow runs again, alone, and is fine.
        out = self.run_units(("a", {}), ("alarm", {"do": "alarm", "after": 0.2}), ("slow", {"do": "slow", "secs": 1}))
        self.assertEqual("", out["slow"].kind, out["slow"].why)
        self.assertIsNotNone(out["slow"].result)

    def test_a_death_right_after_its_turn_is_blamed_on_that_unit(self):
        # A unit that finds the channel in the process and answers for
        # itself (its answer is valid), then ends the process before the
        # next unit starts: it runs again alone, and is then blamed.
        for last in (True, False):
            specs = [("a", {}), ("forger", {"do": "forge-and-exit"})] + ([] if last else [("b", {})])
            out = self.run_units(*specs)
            self.assertEqual("exit", out["forger"].kind)
            self.assertIsNone(out["forger"].result)
            self.assertIn("after its turn, the process ended (exit status 0)", out["forger"].why)
            self.assertEqual([], [n for n, o in out.items() if n != "forger" and o.result is None])

    def test_several_children_at_once_give_the_same_outcomes(self):
        specs = [("a", {}), ("hangs", {"do": "hang"}), ("b", {}), ("junk", {"do": "junk"}),
                 ("c", {}), ("exits", {"do": "exit"}), ("d", {}), ("forks", {"do": "fork"}), ("e", {})]

        def follow(unit, outcome):
            return _units(("%s.1" % unit.ident, {})) if unit.ident in ("a", "e") else []

        one = self.run_units(*specs, timeout=1.0, follow=follow)
        three = self.run_units(*specs, timeout=1.0, follow=follow, workers=3)
        self.assertEqual(sorted(one), sorted(three))
        for ident in one:
            self.assertEqual((one[ident].kind, one[ident].result is None),
                             (three[ident].kind, three[ident].result is None), ident)
        # three children ran the shares at once: a, c and e are each
        # in a share of their own
        pids = {three[n].result["pid"] for n in ("a", "c", "e")}
        self.assertEqual(3, len(pids))
        self.assertEqual([["a", "hangs", "b"], ["junk", "c", "exits"], ["d", "forks", "e"]],
                         [[u.ident for u in share] for share in host._shares(_units(*specs), 3)])

    def test_at_most_per_child_units_run_in_one_child(self):
        specs: list[tuple[str, dict[str, object]]] = [("u%d" % i, {}) for i in range(7)]
        out = self.run_units(*specs, per_child=3)
        pids = [out["u%d" % i].result["pid"] for i in range(7)]
        self.assertEqual(3, len(set(pids)))
        self.assertEqual([pids[0]] * 3 + [pids[3]] * 3 + [pids[6]], pids)

    def test_follow_runs_new_units_next(self):
        def follow(unit, outcome):
            return _units(("%s.1" % unit.ident, {}), ("%s.2" % unit.ident, {})) if "." not in unit.ident else []

        out = self.run_units(("a", {}), ("b", {}), follow=follow)
        self.assertEqual(["a", "a.1", "a.2", "b", "b.1", "b.2"], list(out))

    def test_a_child_that_cannot_start(self):
        out = self.run_units(("a", {}), ("b", {}), job={"fail_to_start": "no luck"})
        self.assertEqual(["start", "start"], [o.kind for o in out.values()])
        self.assertIn("RuntimeError: cannot start: no luck", out["a"].why)


class TestChildHygiene(base.TestCase):
    """What code running in the child can see of the channel."""

    def test_no_job_in_main_no_commands_on_stdin_no_output(self):
        out = host.run_units(
            TOYS, {"sys_path": childproc.child_sys_path()}, _units(("x", {"do": "inspect"})), timeout=5.0
        )
        seen = out["x"].result or {}
        self.assertNotIn("job", seen["main"])  # nothing of the job in __main__
        self.assertEqual("", seen["stdin"])  # /dev/null: the commands are elsewhere
        self.assertEqual([os.devnull] * 3, seen["std"])
        self.assertNotIn("key", seen["job"])
        self.assertNotIn("fd", seen["job"])
        # the channel's ends sit at high descriptors that programs it runs
        # do not inherit
        self.assertEqual(2, len(seen["pipes"]))
        self.assertTrue(all(fd > 99 and not inheritable for fd, inheritable in seen["pipes"]))
