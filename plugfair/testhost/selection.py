"""From the command line's filters and ``--shard`` to a list of test ids.

Filtering uses stestr's own selection (``stestr.selection``) and sharding
uses stestr's own scheduler (``stestr.scheduler.partition_tests``), so
``plugfair run`` selects and balances exactly as stestr does.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from plugfair.interface.errors import UsageError
from plugfair.interface.testids import scheduling_group
from plugfair.registry import records as r

if TYPE_CHECKING:  # pragma: no cover
    from plugfair.registry.core import Registry
    from plugfair.testhost.namespaces import Namespaces

__all__ = ["Shard", "Selection", "NoTestsMatched", "partition", "Timing", "timing_from"]

_SHARD = re.compile(r"^\s*([0-9]{1,6})\s*/\s*([0-9]{1,6})\s*$")


class NoTestsMatched(UsageError):
    """The filters selected no test at all.

    :param described: the filters, as the user gave them.
    """

    def __init__(self, described: str, total: int) -> None:
        super().__init__(
            "No tests matched %s (out of %d discovered). Check the filters with "
            "'plugfair list-tests' and the same options." % (described, total)
        )


class Shard:
    """Shard ``index`` (1-based) of ``total``.

    :raises UsageError: unless ``1 <= index <= total``.
    """

    def __init__(self, index: int, total: int) -> None:
        if total < 1 or not 1 <= index <= total:
            raise UsageError(
                "--shard %d/%d is invalid: give I/N with 1 <= I <= N, e.g. 1/4." % (index, total)
            )
        self.index = index
        self.total = total

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Parse ``"I/N"``.

        :raises UsageError: if it is not of that form or out of range.
        """
        match = _SHARD.match(text or "")
        if not match:
            raise UsageError("--shard %r is invalid: give I/N, e.g. 2/4." % (text,))
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return "%d/%d" % (self.index, self.total)


def _compile(pattern: str, option: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise UsageError("%s %r is not a valid regular expression: %s." % (option, pattern, exc)) from None


def _check_list_file(path: str | None, option: str) -> None:
    if path is None:
        return
    if not os.path.isfile(path):
        raise UsageError("%s %s: no such file." % (option, path))
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            pattern = line.split("#")[0].strip()
            if pattern:
                _compile(pattern, "%s %s line %d:" % (option, path, number))


class Selection:
    """Which tests to take: plugin, regex and list filters.

    A test is taken when it belongs to one of :attr:`plugins` (if any are
    named), matches one of :attr:`regexes` or a line of
    :attr:`include_list` (if any are given; this is stestr's rule: they
    add up), and matches none of :attr:`exclude_regexes` nor a line of
    :attr:`exclude_list`.
    """

    def __init__(
        self,
        *,
        plugins: Sequence[str] = (),
        regexes: Sequence[str] = (),
        exclude_regexes: Sequence[str] = (),
        include_list: str | None = None,
        exclude_list: str | None = None,
    ) -> None:
        self.plugins = list(dict.fromkeys(plugins))
        self.regexes = list(regexes)
        self.exclude_regexes = list(exclude_regexes)
        self.include_list = os.path.abspath(include_list) if include_list else None
        self.exclude_list = os.path.abspath(exclude_list) if exclude_list else None

    def check(self, registry: Registry) -> None:
        """Validate the filters against the registry, before any listing.

        :raises UsageError: for an unknown or disabled plugin, a bad regex
            or a missing or bad list file.
        """
        known = {rec.name: rec for rec in registry.records()}
        for name in self.plugins:
            rec = known.get(name)
            if rec is None:
                raise UsageError(
                    "--plugin %s: no such plugin is installed. Installed plugins: %s."
                    % (name, ", ".join(sorted(known)) or "none")
                )
            if rec.status == r.STATUS_DISABLED:
                raise UsageError(
                    "--plugin %s: the plugin is disabled by configuration "
                    "([plugfair] enabled_plugins/disabled_plugins)." % name
                )
        for pattern in self.regexes:
            _compile(pattern, "--regex")
        for pattern in self.exclude_regexes:
            _compile(pattern, "--exclude-regex")
        _check_list_file(self.include_list, "--include-list")
        _check_list_file(self.exclude_list, "--exclude-list")

    def describe(self) -> str:
        parts = ["--plugin %s" % p for p in self.plugins]
        parts += ["--regex %r" % x for x in self.regexes]
        parts += ["--exclude-regex %r" % x for x in self.exclude_regexes]
        if self.include_list:
            parts.append("--include-list %s" % self.include_list)
        if self.exclude_list:
            parts.append("--exclude-list %s" % self.exclude_list)
        return " ".join(parts) if parts else "(no filters)"

    def apply(self, test_ids: Sequence[str], namespaces: Namespaces) -> list[str]:
        """The selected ids, in the given order, each once."""
        from stestr import selection as stestr_selection

        ids = list(dict.fromkeys(test_ids))
        if self.plugins:
            ids = namespaces.select(self.plugins, ids)
        exclude = (
            "|".join("(?:%s)" % x for x in self.exclude_regexes) if self.exclude_regexes else None
        )
        if self.regexes or exclude or self.include_list or self.exclude_list:
            chosen = stestr_selection.construct_list(
                ids,
                regexes=list(self.regexes) or None,
                exclude_list=self.exclude_list,
                include_list=self.include_list,
                exclude_regex=exclude,
            )
            ids = [t for t in ids if t in chosen]
        return ids


class Timing:
    """Test durations recorded in subunit streams, answering as a stestr
    repository does (:meth:`get_test_times`), so stestr's scheduler
    balances shards by them.

    :param times: seconds by test id, as stestr keys them
        (``stestr.utils.cleanup_test_name``: no attributes, no scenario).
    """

    def __init__(self, times: dict[str, float]) -> None:
        self.times = times

    def get_test_times(self, test_ids: Sequence[str]) -> dict[str, Any]:
        """``{"known": {id: seconds}, "unknown": {ids}}`` (stestr's shape)."""
        from stestr import utils

        known = {}
        for test_id in test_ids:
            seconds = self.times.get(utils.cleanup_test_name(test_id))
            if seconds is not None:
                known[test_id] = seconds
        return {"known": known, "unknown": frozenset(test_ids) - set(known)}


def timing_from(paths: Sequence[str]) -> Timing:
    """The durations of the tests in subunit v2 streams: an earlier run's
    ``plugfair run --subunit`` output, ``stestr last --subunit``, or the
    shards of a CI matrix (a test's last duration wins).

    :raises UsageError: for a file that is missing or holds no durations.
    """
    import subunit
    import testtools
    from stestr import utils

    times: dict[str, float] = {}

    def take(test: Any) -> None:
        start, stop = test["timestamps"]
        if test["status"] != "exists" and None not in (start, stop):
            times[utils.cleanup_test_name(test["id"])] = (stop - start).total_seconds()

    for path in paths:
        before = len(times)
        try:
            with open(path, "rb") as f:
                result = testtools.StreamToDict(take)
                result.startTestRun()
                try:
                    subunit.ByteStreamToStreamResult(f, non_subunit_name="stdout").run(result)
                finally:
                    result.stopTestRun()
        except OSError as exc:
            raise UsageError("--timing-from %s: %s." % (path, exc.strerror or exc)) from None
        if len(times) == before:
            raise UsageError(
                "--timing-from %s holds no test durations: give a subunit v2 stream of an "
                "earlier run ('plugfair run --subunit > FILE', or 'stestr last --subunit')." % path
            )
    return Timing(times)


def partition(
    test_ids: Sequence[str],
    shard: Shard,
    *,
    repository: Any = None,
    timing: Timing | None = None,
) -> list[str]:
    """The ids of ``shard``, in the given order.

    The split is stestr's scheduler over the ids in sorted order, grouped
    by :func:`plugfair.interface.testids.scheduling_group` (a test class is
    never split).  Groups with timing data (``timing`` if given, else the
    stestr ``repository``) are balanced by time, longest first, the others
    go round robin.  The same ids and the same timing data give the same
    split on every machine; the shards of one split are disjoint and
    together hold every id.
    """
    from stestr import scheduler

    ordered = sorted(set(test_ids))
    source = timing if timing is not None else repository
    parts = scheduler.partition_tests(ordered, shard.total, source, scheduling_group)
    mine = set(parts[shard.index - 1])
    return [t for t in dict.fromkeys(test_ids) if t in mine]
