"""Filters, namespaces and shards."""

from __future__ import annotations

import io
import os

import fixtures
import subunit
import testtools
from hypothesis import given, settings
from hypothesis import strategies as st
from stestr.commands import load_command
from stestr.repository import util as repo_util

from plugfair.api import PluginNotFound, UsageError, make_registry
from plugfair.interface.plugin import Plugin
from plugfair.registry import records as r
from plugfair.registry.core import Registry
from plugfair.testhost.namespaces import Namespaces, contract_prefix
from plugfair.testhost.selection import NoTestsMatched, Selection, Shard, partition, timing_from


def _record(name: str, test_package: str | None, status: r.Status = r.STATUS_OK) -> r.PluginRecord:
    return r.PluginRecord(
        name=name, target="%s_pkg.plugin:P" % name,
        test_packages=[test_package] if test_package else [], status=status
    )


def _registry(*recs: r.PluginRecord, disabled: tuple[str, ...] = ()) -> Registry:
    return Registry(recs, disabled=disabled)


IDS = [
    "alpha_pkg.tests.test_a.T.test_1",
    "alpha_pkg.tests.test_a.T.test_2",
    "alpha_pkg.tests.nested.test_n.T.test_3",
    "beta_pkg.tests.test_b.T.test_1[id-0b5a44d2-1d47-4fd0-a7e3-5a3c1d2d62f2]",
    contract_prefix("alpha") + "test_loads",
    contract_prefix("beta") + "test_loads",
    "somelib.testing.Shared.test_x",
]


class ShardTest(testtools.TestCase):
    def test_parse(self):
        shard = Shard.parse(" 2/5 ")
        self.assertEqual((2, 5), (shard.index, shard.total))
        self.assertEqual("2/5", str(shard))

    def test_bad_shards_are_usage_errors(self):
        for text in ("0/3", "4/3", "1/0", "a/b", "1", "1/2/3", "", "-1/2", "1.5/2"):
            with self.assertRaises(UsageError) as ctx:
                Shard.parse(text)
            self.assertEqual(2, getattr(ctx.exception, "exit_code", None))

    @settings(max_examples=60, deadline=None)
    @given(
        ids=st.lists(st.from_regex(r"[a-z]{1,3}(\.[a-z]{1,3}){1,3}", fullmatch=True), max_size=60),
        total=st.integers(min_value=1, max_value=9),
    )
    def test_union_of_shards_is_the_suite_without_duplicates(self, ids, total):
        shards = [partition(ids, Shard(i, total)) for i in range(1, total + 1)]
        flat = [t for s in shards for t in s]
        self.assertEqual(len(flat), len(set(flat)), "a test is in two shards")
        self.assertEqual(set(ids), set(flat))
        # deterministic, and independent of the input order
        again = [partition(list(reversed(ids)), Shard(i, total)) for i in range(1, total + 1)]
        self.assertEqual([set(s) for s in shards], [set(s) for s in again])

    def test_without_timing_data_round_robin_by_test_id(self):
        ids = ["t%02d" % i for i in range(10)]
        self.assertEqual(["t00", "t03", "t06", "t09"], partition(list(reversed(ids)), Shard(1, 3))[::-1])
        self.assertEqual(["t01", "t04", "t07"], sorted(partition(ids, Shard(2, 3))))

    def test_shard_order_follows_the_suite(self):
        ids = ["z.t", "a.t", "m.t", "b.t"]
        self.assertEqual(["a.t", "m.t"], partition(ids, Shard(1, 2)))
        self.assertEqual(["z.t", "b.t"], partition(ids, Shard(2, 2)))

    def test_more_shards_than_tests_leaves_empty_shards(self):
        self.assertEqual([], partition(["a.t"], Shard(3, 3)))
        self.assertEqual(["a.t"], partition(["a.t"], Shard(1, 3)))

    def test_timing_data_balances_shards(self):
        # A real stestr repository with one long test and ten short ones.
        repo_dir = self.useFixture(fixtures.TempDir()).path
        repo_util.get_repo_initialise(repo_url=repo_dir)
        stream = io.BytesIO()
        out = subunit.StreamResultToBytes(stream)
        import datetime

        start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
        # one test class each (classes are never split)
        durations = {"pkg.mod.Long.test": 10.0}
        durations.update({"pkg.mod.Short%02d.test" % i: 1.0 for i in range(10)})
        for test_id, seconds in durations.items():
            out.status(test_id=test_id, test_status="inprogress", timestamp=start)
            out.status(
                test_id=test_id,
                test_status="success",
                timestamp=start + datetime.timedelta(seconds=seconds),
            )
        stream.seek(0)
        rc = load_command(
            in_streams=[("subunit", stream)],
            repo_url=repo_dir,
            stdout=io.StringIO(),
            pretty_out=False,
        )
        self.assertEqual(0, rc)
        repo = repo_util.get_repo_open(repo_url=repo_dir)
        ids = sorted(durations)
        one, two = (partition(ids, Shard(i, 2), repository=repo) for i in (1, 2))
        with_long = one if "pkg.mod.Long.test" in one else two
        self.assertEqual(["pkg.mod.Long.test"], with_long)
        self.assertEqual(set(ids), set(one) | set(two))
        # Round robin by id would have put five short tests with the long one.
        plain = partition(ids, Shard(1, 2))
        self.assertIn("pkg.mod.Long.test", plain)
        self.assertGreater(len(plain), 1)


def _stream(path: str, durations: dict[str, float]) -> str:
    """A subunit v2 stream in which each test took its duration."""
    import datetime

    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    with open(path, "wb") as f:
        out = subunit.StreamResultToBytes(f)
        for test_id, seconds in durations.items():
            out.status(test_id=test_id, test_status="inprogress", timestamp=start)
            out.status(test_id=test_id, test_status="success",
                       timestamp=start + datetime.timedelta(seconds=seconds))
    return path


def _skewed(seed: int, classes: int = 300, per_class: int = 10) -> dict[str, float]:
    """A suite whose class durations are log-normal (a few classes take
    most of the time), as real suites are."""
    import random

    rng = random.Random(seed)
    out = {}
    for c in range(classes):
        scale = rng.lognormvariate(0.0, 1.4)
        for t in range(per_class):
            out["p%02d.tests.test_m.C%03d.test_%02d" % (c % 7, c, t)] = scale * rng.lognormvariate(0.0, 0.6)
    return out


class TimingFromTest(testtools.TestCase):
    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def test_durations_are_read_as_stestr_keys_them(self):
        path = _stream(os.path.join(self.dir, "a.subunit"), {
            "pkg.mod.C.test_a[id-1,smoke]": 2.5, "pkg.mod.C.test_b": 0.25})
        timing = timing_from([path])
        self.assertEqual({"pkg.mod.C.test_a": 2.5, "pkg.mod.C.test_b": 0.25}, timing.times)
        answer = timing.get_test_times(["pkg.mod.C.test_a[id-1,smoke]", "pkg.mod.C.test_new"])
        self.assertEqual({"pkg.mod.C.test_a[id-1,smoke]": 2.5}, answer["known"])
        self.assertEqual({"pkg.mod.C.test_new"}, set(answer["unknown"]))

    def test_several_streams_add_up_and_the_last_wins(self):
        one = _stream(os.path.join(self.dir, "1.subunit"), {"a.B.test_x": 1.0, "a.B.test_y": 2.0})
        two = _stream(os.path.join(self.dir, "2.subunit"), {"a.B.test_y": 3.0, "c.D.test_z": 4.0})
        self.assertEqual({"a.B.test_x": 1.0, "a.B.test_y": 3.0, "c.D.test_z": 4.0}, timing_from([one, two]).times)

    def test_a_missing_or_foreign_file_is_a_usage_error(self):
        foreign = os.path.join(self.dir, "notes.txt")
        with open(foreign, "w") as f:
            f.write("not a subunit stream\n")
        for path, message in ((os.path.join(self.dir, "nope"), "No such file"),
                              (foreign, "holds no test durations")):
            with self.assertRaises(UsageError) as ctx:
                timing_from([path])
            self.assertIn(message, str(ctx.exception))

    def test_skewed_suites_are_balanced_and_classes_stay_whole(self):
        from plugfair.interface.testids import scheduling_group

        for seed in range(5):
            durations = _skewed(seed)
            timing = timing_from([_stream(os.path.join(self.dir, "%d.subunit" % seed), durations)])
            ids = list(durations)
            total = 6
            timed = [partition(ids, Shard(i, total), timing=timing) for i in range(1, total + 1)]
            plain = [partition(ids, Shard(i, total)) for i in range(1, total + 1)]
            for parts in (timed, plain):
                self.assertEqual(sorted(ids), sorted(t for p in parts for t in p))
                groups = [{scheduling_group(t) for t in p} for p in parts]
                self.assertEqual(sum(map(len, groups)), len(set().union(*groups)), "a class was split")

            def spread(parts):
                sums = [sum(durations[t] for t in p) for p in parts]
                return max(sums) / (sum(sums) / len(sums))

            self.assertLessEqual(spread(timed), 1.15, seed)
            self.assertLess(spread(timed), spread(plain), seed)
            # the repository's answer and the stream's are the same split
            self.assertEqual(timed, [partition(ids, Shard(i, total), timing=timing)
                                     for i in range(1, total + 1)])


class NamespacesTest(testtools.TestCase):
    def test_prefixes_and_owner(self):
        ns = Namespaces(_registry(_record("alpha", "alpha_pkg.tests"), _record("beta", "beta_pkg.tests")))
        self.assertEqual(["alpha", "beta"], ns.plugins)
        self.assertEqual(
            ["alpha_pkg.tests.", contract_prefix("alpha")], ns.prefixes("alpha")
        )
        self.assertEqual("alpha", ns.owner(IDS[0]))
        self.assertEqual("beta", ns.owner(IDS[3]))
        self.assertEqual("beta", ns.owner(contract_prefix("beta") + "test_loads"))
        self.assertIsNone(ns.owner("somelib.testing.Shared.test_x"))
        self.assertIsNone(ns.owner("alpha_pkg.testsuite.T.test"))

    def test_longest_prefix_wins_for_nested_packages(self):
        ns = Namespaces(
            _registry(_record("alpha", "alpha_pkg.tests"), _record("inner", "alpha_pkg.tests.nested"))
        )
        self.assertEqual("inner", ns.owner(IDS[2]))
        self.assertEqual("alpha", ns.owner(IDS[0]))
        self.assertEqual(["alpha_pkg.tests.nested."], ns.nested_in("alpha"))
        self.assertEqual([], ns.nested_in("inner"))

    def test_disabled_failed_and_contested_plugins(self):
        failed = _record("gamma", None, status=r.STATUS_FAILED)
        ns = Namespaces(
            _registry(
                _record("alpha", "shared.tests"),
                _record("beta", "shared.tests"),
                _record("delta", "delta_pkg.tests"),
                failed,
                disabled=("delta",),
            )
        )
        # disabled plugins own nothing; failed ones still own their
        # contract tests; a contested test package belongs to no one
        self.assertEqual(["alpha", "beta", "gamma"], ns.plugins)
        self.assertEqual({}, ns.test_packages)
        self.assertIsNone(ns.owner("shared.tests.test_a.T.test"))
        self.assertEqual("gamma", ns.owner(contract_prefix("gamma") + "test_loads"))
        self.assertIsNone(ns.owner("delta_pkg.tests.test.T.test"))

    def test_regex_matches_prefixes(self):
        import re

        ns = Namespaces(_registry(_record("alpha", "alpha_pkg.tests"), _record("beta", "beta_pkg.tests")))
        rx = re.compile(ns.regex(["alpha"]))
        self.assertEqual(IDS[:3] + [IDS[4]], [t for t in IDS if rx.search(t)])


class SelectionTest(testtools.TestCase):
    def setUp(self):
        super().setUp()
        self.registry = _registry(
            _record("alpha", "alpha_pkg.tests"),
            _record("beta", "beta_pkg.tests"),
            _record("off", None),
            disabled=("off",),
        )
        self.ns = Namespaces(self.registry)
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def _file(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_no_filters_keep_everything_in_order_once(self):
        self.assertEqual(IDS, Selection().apply(IDS + IDS[:2], self.ns))

    def test_plugin_selects_its_tests_and_contract_tests(self):
        got = Selection(plugins=["beta"]).apply(IDS, self.ns)
        self.assertEqual([IDS[3], IDS[5]], got)
        got = Selection(plugins=["beta", "alpha", "beta"]).apply(IDS, self.ns)
        self.assertEqual(IDS[:6], got)

    def test_plugin_and_regex_intersect(self):
        got = Selection(plugins=["alpha"], regexes=["test_2", "test_loads"]).apply(IDS, self.ns)
        self.assertEqual([IDS[1], IDS[4]], got)

    def test_regexes_add_up_and_excludes_remove(self):
        got = Selection(regexes=["test_1", "Shared"], exclude_regexes=["beta", "x$"]).apply(IDS, self.ns)
        self.assertEqual([IDS[0]], got)

    def test_idempotent_id_regex(self):
        got = Selection(regexes=["0b5a44d2-1d47"]).apply(IDS, self.ns)
        self.assertEqual([IDS[3]], got)

    def test_include_and_exclude_lists(self):
        inc = self._file("inc.txt", "# only these\nalpha_pkg  # comment\n\n")
        exc = self._file("exc.txt", "nested\n")
        got = Selection(include_list=inc, exclude_list=exc).apply(IDS, self.ns)
        self.assertEqual(IDS[:2], got)

    def test_check_accepts_good_filters(self):
        inc = self._file("inc.txt", "alpha\n")
        Selection(plugins=["alpha"], regexes=["a+"], include_list=inc).check(self.registry)

    def test_check_rejects_bad_input(self):
        bad_list = self._file("bad.txt", "ok\n(unclosed\n")
        cases = [
            (Selection(plugins=["nope"]), "no such plugin is installed. Installed plugins: alpha, beta, off"),
            (Selection(plugins=["off"]), "disabled by configuration"),
            (Selection(regexes=["("]), "--regex '(' is not a valid regular expression"),
            (Selection(exclude_regexes=["[z-a]"]), "--exclude-regex"),
            (Selection(include_list=os.path.join(self.tmp, "missing")), "no such file"),
            (Selection(exclude_list=bad_list), "line 2"),
        ]
        for selection, message in cases:
            with self.assertRaises(UsageError) as ctx:
                selection.check(self.registry)
            self.assertIn(message, str(ctx.exception))
            self.assertEqual(2, getattr(ctx.exception, "exit_code", None))

    def test_no_tests_matched_is_a_usage_error(self):
        err = NoTestsMatched(Selection(regexes=["x"], plugins=["alpha"]).describe(), 7)
        self.assertIsInstance(err, UsageError)
        self.assertEqual(2, err.exit_code)
        self.assertIn("--plugin alpha --regex 'x'", str(err))
        self.assertIn("out of 7 discovered", str(err))

    def test_namespaces_from_real_plugin_classes(self):
        class Alpha(Plugin):
            name = "alpha"

        registry = make_registry(Alpha)
        ns = Namespaces(registry)
        self.assertEqual(["alpha"], ns.plugins)
        self.assertEqual({}, ns.test_packages)
        with self.assertRaises(PluginNotFound):
            registry.get("beta")


_WORD = st.text(alphabet="abcdefghij_", min_size=1, max_size=6)


class ClassPreservingShardTest(testtools.TestCase):
    """``--shard I/N`` never splits a test class, whatever the ids."""

    @settings(max_examples=60, deadline=None)
    @given(
        classes=st.lists(
            st.tuples(st.lists(_WORD, min_size=1, max_size=3), _WORD,
                      st.integers(min_value=1, max_value=8), st.booleans()),
            min_size=1, max_size=40,
        ),
        total=st.integers(min_value=1, max_value=7),
    )
    def test_classes_stay_whole(self, classes, total):
        from plugfair.interface.testids import scheduling_group

        ids = []
        for package, cls, count, with_id in classes:
            prefix = "%s.%s" % (".".join(package), cls.capitalize())
            for i in range(count):
                suffix = "[id-%08d-0000-4000-8000-000000000000]" % i if with_id else ""
                ids.append("%s.test_%d%s" % (prefix, i, suffix))
        ids = list(dict.fromkeys(ids))
        shards = [partition(ids, Shard(i, total)) for i in range(1, total + 1)]
        self.assertEqual(sorted(ids), sorted(t for s in shards for t in s))
        home: dict[str | None, int] = {}
        for index, shard in enumerate(shards):
            for test_id in shard:
                group = scheduling_group(test_id)
                self.assertEqual(home.setdefault(group, index), index, test_id)

    def test_groups(self):
        from plugfair.interface.testids import idempotent_id_of, scheduling_group

        self.assertEqual("a.b.C.", scheduling_group("a.b.C.test_x[id-1,smoke]"))
        self.assertEqual("a.b.C.", scheduling_group("a.b.C.test_x(scenario.with.dots)"))
        self.assertEqual("a.b.C.", scheduling_group("a.b.C.test_y"))
        self.assertIsNone(scheduling_group("nodots"))
        uid = "0b6f4f7e-8a51-4c1d-9d3c-6f3c2a9e7b10"
        self.assertEqual(uid, idempotent_id_of("a.B.test[smoke,id-%s]" % uid))
        self.assertEqual(uid, idempotent_id_of("a.B.test[id-%s]" % uid.upper()))
        self.assertIsNone(idempotent_id_of("a.B.test[id-not-a-uuid]"))
        self.assertIsNone(idempotent_id_of("a.B.test_id-%s" % uid))
