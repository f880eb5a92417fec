"""Usage callbacks: plain values, child processes, deadlines, pauses."""

from __future__ import annotations

import collections.abc
import io
import os
import sys
import threading
import time

import fixtures

from plugfair.api import Plugin, PluginValidationError, QuotaResource
from plugfair.quota import isolation, plain
from plugfair.quota.usage import UsageCollector
from plugfair.registry.core import Registry
from plugfair.tests import base


def _attack(*args, **kwargs):
    raise RuntimeError("a hostile method ran")


_NAMES = ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__index__",
          "__int__", "__repr__", "__str__", "__format__", "__bool__", "bit_length")
HostileInt = type("HostileInt", (int,), {n: _attack for n in _NAMES})
HostileStr = type("HostileStr", (str,), {
    "__hash__": str.__hash__, **{n: _attack for n in ("__eq__", "__repr__", "__str__")}})
HostileDict = type("HostileDict", (dict,), {n: _attack for n in (
    "items", "keys", "values", "__iter__", "__len__", "__getitem__", "get", "__repr__")})


class Meta(type):
    @property
    def __name__(cls):  # type: ignore[override]  # the trick under test
        raise RuntimeError("a hostile metaclass ran")


class Unprintable(Exception, metaclass=Meta):
    def __str__(self):
        raise RuntimeError("no")


class TestPlainUsage(base.TestCase):
    def test_hostile_subclasses_are_read_without_their_methods(self):
        value = HostileDict({"a": HostileInt(3), "b": HostileInt(0)})
        out = plain.plain_usage("p", value, ["a", "b"])
        self.assertEqual({"a": 3, "b": 0}, out)
        self.assertIs(dict, type(out))
        self.assertEqual({int}, {type(v) for v in out.values()})
        # a hostile key is read as the text it holds
        out = plain.plain_usage("p", {HostileStr("a"): 1}, ["a"])
        self.assertEqual({"a": 1}, out)
        self.assertIs(str, type(next(iter(out))))

    def test_absurd_and_wrong_counts_are_refused_with_a_reason(self):
        for value, needle in (
            (10**5000, "an integer of 16610 bits"),
            (-1, "is -1; it must be an integer >= 0"),
            (True, "bool"),
            (1.5, "float"),
            ("7", "str"),
            (2**63, "of at most 9223372036854775807"),
        ):
            with self.assertRaises(PluginValidationError) as ctx:
                plain.plain_usage("p", {"a": value}, ["a"])
            self.assertIn(needle, str(ctx.exception))
        self.assertEqual({"a": 2**63 - 1}, plain.plain_usage("p", {"a": 2**63 - 1}, ["a"]))

    def test_shapes(self):
        with self.assertRaises(PluginValidationError) as ctx:
            plain.plain_usage("p", ["a"], ["a"])
        self.assertIn("it returned list", str(ctx.exception))
        # keys not asked for, or not text, are left out
        self.assertEqual({}, plain.plain_usage("p", {"zz": 1, 5: 2}, ["a"]))

        class M(collections.abc.Mapping[str, int]):
            def __getitem__(self, key):
                return 4

            def __iter__(self):
                return iter(["a"])

            def __len__(self):
                return 1

        self.assertEqual({"a": 4}, plain.plain_usage("p", M(), ["a"]))

    def test_text_of_hostile_objects(self):
        self.assertEqual("<unprintable>", plain.plain_text(Unprintable()))
        self.assertEqual("object: <unprintable>", plain.describe_error(Unprintable()).replace(
            "Unprintable", "object"))
        self.assertTrue(plain.describe_error(Unprintable()).startswith("Unprintable"))
        self.assertEqual(500, len(plain.plain_text("x" * 10_000)))
        self.assertEqual("KeyboardInterrupt", plain.describe_error(KeyboardInterrupt()))
        self.assertIs(str, type(plain.plain_text(HostileStr("x"))))


class TestChildRun(base.TestCase):
    def run_jobs(self, jobs, timeout=5.0):
        out = io.StringIO()
        start = time.monotonic()
        results = isolation.ChildRun(jobs, timeout, out).wait()
        return results, out.getvalue(), time.monotonic() - start

    def test_answers_and_stages(self):
        def job(stage):
            stage("loaded")
            return {"pid": os.getpid()}

        results, _, _ = self.run_jobs({"a": job})
        self.assertEqual("loaded", results["a"].stage)
        self.assertNotEqual(os.getpid(), results["a"].answer["pid"])

    def test_exit_hang_and_interrupt_are_contained(self):
        def exits(stage):
            os._exit(7)

        def hangs(stage):
            stage("loaded")
            threading.Event().wait(300)

        def interrupts(stage):
            raise KeyboardInterrupt

        def good(stage):
            return {"fine": True}

        results, _, elapsed = self.run_jobs(
            {"exits": exits, "hangs": hangs, "interrupts": interrupts, "good": good}, timeout=1.0)
        self.assertEqual(("died", "exit status 7"), (results["exits"].failure, results["exits"].detail))
        self.assertEqual(("timeout", "loaded"), (results["hangs"].failure, results["hangs"].stage))
        self.assertEqual(("died", "exit status 70"),
                         (results["interrupts"].failure, results["interrupts"].detail))
        self.assertEqual({"fine": True}, results["good"].answer)
        self.assertLess(elapsed, 4.0)

    def test_child_sees_only_its_own_answer_pipe(self):
        def peek(stage):
            return sorted(int(fd) for fd in os.listdir("/proc/self/fd"))

        results, _, _ = self.run_jobs({"a": peek, "b": peek, "c": peek})
        for name in "abc":
            fds = results[name].answer
            # stdin, stdout, stderr, the answer pipe (and listdir's own)
            self.assertLessEqual(len(fds), 5, fds)
            self.assertEqual([0, 1, 2], fds[:3])

    def test_output_is_forwarded_cut_and_neutralised(self):
        def loud(stage):
            print("\x1b[31mred\x07")
            sys.stdout.write("y" * (2 * isolation.MAX_FORWARD))
            os.write(2, b"raw fd write\n")
            return {}

        results, out, _ = self.run_jobs({"loud": loud})
        self.assertEqual({}, results["loud"].answer)
        self.assertIn("\\x1b[31mred\\x07", out)
        self.assertNotIn("\x1b", out)
        self.assertLessEqual(out.count("y"), isolation.MAX_FORWARD)
        self.assertIn("more bytes printed by plugins' usage callbacks were dropped", out)

    def test_garbage_and_overlong_answers(self):
        def forges(stage):
            for fd in range(3, 64):
                try:
                    os.write(fd, b"A {not json\n")
                except OSError:
                    pass
            os._exit(0)

        def long(stage):
            return {"x": "y" * (isolation.MAX_ANSWER + 10)}

        results, _, _ = self.run_jobs({"forges": forges, "long": long})
        self.assertEqual("garbage", results["forges"].failure)
        self.assertEqual("garbage", results["long"].failure)
        self.assertIn("longer than", results["long"].detail)

    def test_grandchildren_are_killed(self):
        marker = "plugfair-grandchild-%d" % os.getpid()

        def spawns(stage):
            import subprocess

            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", marker])
            threading.Event().wait(300)

        self.run_jobs({"spawns": spawns}, timeout=1.0)
        time.sleep(0.3)
        left = []
        for pid in os.listdir("/proc"):
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    if marker.encode() in f.read():
                        left.append(pid)
            except OSError:
                continue
        self.assertEqual([], left)


class Counter(Plugin):
    name = "counter"
    calls: list[str] = []

    def quota_resources(self):
        return [QuotaResource("things", 5)]

    def quota_usage(self, project_id, names):
        Counter.calls.append(project_id)
        return {"things": HostileInt(2)}


class Exiter(Plugin):
    name = "exiter"

    def quota_resources(self):
        return [QuotaResource("things", 5)]

    def quota_usage(self, project_id, names):
        os._exit(3)


class Sleeper(Plugin):
    name = "sleeper"

    def quota_resources(self):
        return [QuotaResource("naps", 5)]

    def quota_usage(self, project_id, names):
        time.sleep(float(os.environ.get("SLEEPER_SECONDS", "300")))
        return {"naps": 1}


class TestCollector(base.TestCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry.from_plugins([Counter, Exiter, Sleeper])
        self.useFixture(fixtures.MonkeyPatch("sys.stderr", io.StringIO()))
        Counter.calls.clear()

    def test_the_host_never_runs_plugin_code(self):
        collector = UsageCollector(self.registry, 2.0)
        usage, status = collector.collect("p1", {"counter": ["things"], "exiter": ["things"]})
        self.assertEqual({"counter": {"things": 2}}, usage)
        self.assertEqual("ok", status["counter"])
        self.assertIn("ended (exit status 3) before answering", status["exiter"])
        self.assertEqual([], Counter.calls)  # called in a child, not here

    def test_a_busy_plugin_is_not_waited_for(self):
        self.useFixture(fixtures.EnvironmentVariable("SLEEPER_SECONDS", "1.5"))
        collector = UsageCollector(self.registry, 5.0)
        collector.limit_calls(1)
        first = collector.start("p1", {"sleeper": ["naps"]})
        start = time.monotonic()
        usage, status = collector.collect("p2", {"sleeper": ["naps"], "counter": ["things"]})
        self.assertLess(time.monotonic() - start, 1.0)
        self.assertIn("already running for 1 other request(s)", status["sleeper"])
        self.assertEqual({"counter": {"things": 2}}, usage)
        with first:
            self.assertEqual(({"sleeper": {"naps": 1}}, {"sleeper": "ok"}), first.wait())
        # once it returned, it is called again
        self.assertEqual("ok", collector.collect("p2", {"sleeper": ["naps"]})[1]["sleeper"])

    def test_cancelled_collection_kills_its_children(self):
        collector = UsageCollector(self.registry, 30.0)
        start = time.monotonic()
        with self.assertRaises(ValueError):
            with collector.start("p1", {"sleeper": ["naps"]}):
                raise ValueError("the store failed meanwhile")
        self.assertLess(time.monotonic() - start, 5.0)
        self.assertEqual(0, collector._health["sleeper"].running)

    def test_without_fork_it_falls_back_to_threads(self):
        self.useFixture(fixtures.MonkeyPatch("plugfair.quota.isolation.fork_available", lambda: False))
        collector = UsageCollector(self.registry, 2.0)
        self.assertEqual("thread", collector.isolation)
        usage, status = collector.collect("p1", {"counter": ["things"]})
        self.assertEqual({"counter": {"things": 2}}, usage)
        self.assertEqual(["p1"], Counter.calls)  # in this process, in a thread


class TestLateWait(base.TestCase):
    def test_answers_given_in_time_count_even_if_collected_late(self):
        def quick(stage):
            return {"ok": 1}

        run = isolation.ChildRun({"quick": quick}, 0.3, io.StringIO())
        time.sleep(0.6)  # the caller was busy past the deadline
        self.assertEqual({"ok": 1}, run.wait()["quick"].answer)
