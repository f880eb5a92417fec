"""``plugfair run`` and ``plugfair list-tests``: stestr, driven through its API.

Both commands resolve the workspace, the configuration and the installed
plugins once, write them to a plan file for the stestr processes
(:mod:`plugfair.testhost.context`), list the whole suite once with stestr,
then select and shard the ids (:mod:`plugfair.testhost.selection`).
``run`` hands the chosen ids to ``stestr.commands.run_command`` as a load
list; stestr schedules the workers, stores the run in the workspace's
repository and prints the results.

Exit status: 0 when every test passed, 1 when a test failed (or the run
could not complete), 2 for a usage error, including filters that match no
test.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from typing import IO, Any

from plugfair.interface.errors import UsageError
from plugfair.interface.testids import GROUP_REGEX
from plugfair.testhost import context as ctx_mod
from plugfair.testhost import lifecycle
from plugfair.testhost.namespaces import Namespaces
from plugfair.testhost.selection import NoTestsMatched, Selection, Shard, partition, timing_from
from plugfair.testhost.workspace import Workspace, suite_paths

__all__ = [
    "TestRequest",
    "RunOptions",
    "Prepared",
    "prepared_run",
    "prepare",
    "list_tests",
    "run_tests",
]


class TestRequest:
    """What the user asked for: workspace, configuration, filters, shard.

    :param workspace: the workspace directory (``None``: the current one).
    :param config_files: extra configuration files, read after the
        workspace's ``plugfair.conf``.
    :param config_dirs: configuration directories.
    :param selection: the filters.
    :param shard: the shard to take, if any.
    :param use_cache: override ``[plugfair] manifest_cache``.
    :param timing_from: subunit streams whose test durations balance the
        shards (instead of the workspace's stestr repository).
    """

    __test__ = False  # not a test, whatever its name says

    def __init__(
        self,
        *,
        workspace: str | None = None,
        config_files: Sequence[str] = (),
        config_dirs: Sequence[str] = (),
        selection: Selection | None = None,
        shard: Shard | None = None,
        use_cache: bool | None = None,
        timing_from: Sequence[str] = (),
    ) -> None:
        self.workspace = workspace
        self.config_files = [os.path.abspath(p) for p in config_files]
        self.config_dirs = [os.path.abspath(p) for p in config_dirs]
        self.selection = selection or Selection()
        self.shard = shard
        self.use_cache = use_cache
        self.timing_from = [os.path.abspath(p) for p in timing_from]


class Prepared:
    """The resolved workspace, plan, registry and selected test ids."""

    def __init__(self, workspace: Workspace, plan: ctx_mod.Plan, namespaces: Namespaces) -> None:
        self.workspace = workspace
        self.plan = plan
        self.namespaces = namespaces
        #: Every discovered test id, in suite order.
        self.all_ids: list[str] = []
        #: The ids to run, in suite order.
        self.ids: list[str] = []
        #: Messages for the user (the default workspace in use, an empty
        #: shard...), one per line, or "".
        self.notice = ""


@contextlib.contextmanager
def _session(prepared: Prepared) -> Iterator[str]:
    """Plan file in the environment and the workspace as the current
    directory, for the stestr processes; both restored afterwards."""
    fd, plan_path = tempfile.mkstemp(prefix="plugfair-plan-", suffix=".json")
    os.close(fd)
    old_env = os.environ.get(ctx_mod.PLAN_ENV)
    old_cwd = os.getcwd()
    try:
        prepared.plan.write(plan_path)
        os.environ[ctx_mod.PLAN_ENV] = plan_path
        os.chdir(prepared.workspace.path)
        yield plan_path
    finally:
        os.chdir(old_cwd)
        if old_env is None:
            os.environ.pop(ctx_mod.PLAN_ENV, None)
        else:
            os.environ[ctx_mod.PLAN_ENV] = old_env
        try:
            os.unlink(plan_path)
        except OSError:
            pass


def _stestr_conf(workspace: Workspace) -> Any:
    from stestr import config_file

    return config_file.TestrConf.load_from_file(workspace.stestr_conf)


def _discover_ids(plan: ctx_mod.Plan) -> list[str]:
    """List the whole suite once, in this process.

    It is the discovery every stestr worker runs (the ``load_tests`` of
    :mod:`plugfair.testhost.suite`), with the same plan, environment and
    working directory; doing it here reuses the plugins the preparation
    already imported instead of starting a lister process.
    """
    import unittest

    from plugfair.testhost import discovery

    # Test modules and the libraries they start may print while they are
    # imported, or set up logging of their own (Tempest replaces the root
    # logger's handlers): neither may reach or change this command's output.
    sink = io.StringIO()
    with _logging_kept(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        suite = discovery.build_suite(
            unittest.TestLoader(), "test*.py", ctx_mod.HostContext(plan)
        )
    return [test.id() for test in discovery.iter_tests(suite)]


@contextlib.contextmanager
def _logging_kept() -> Iterator[None]:
    """Restore the root logger's handlers and level, and the logging
    module's global disable level, on exit."""
    import logging

    root = logging.getLogger()
    handlers, level, disabled = list(root.handlers), root.level, logging.root.manager.disable
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        for handler in handlers:
            if handler not in root.handlers:
                root.addHandler(handler)
        root.setLevel(level)
        logging.disable(disabled)


@contextlib.contextmanager
def prepared_run(request: TestRequest) -> Iterator[Prepared]:
    """Resolve everything, prepare the plugins and select the ids; the
    plugins' preparations last until the block ends.

    :raises UsageError: for bad filters, or filters that match no test
        (:class:`NoTestsMatched`).
    :raises ConfigError: for missing or malformed configuration.
    """
    workspace = Workspace.resolve(request.workspace)
    if request.timing_from and request.shard is None:
        raise UsageError("--timing-from balances shards: give --shard I/N with it.")
    timing = timing_from(request.timing_from) if request.timing_from else None
    for path in request.config_files:
        if not os.path.isfile(path):
            raise UsageError("--config-file %s: no such file." % path)
    files = [workspace.plugfair_conf] + request.config_files
    conf = ctx_mod.build_test_conf(files, request.config_dirs)
    plan = ctx_mod.plan_from_conf(
        conf, config_files=files, config_dirs=request.config_dirs, use_cache=request.use_cache
    )
    registry = plan.registry(conf)
    request.selection.check(registry)
    prepared = Prepared(workspace, plan, Namespaces(registry))
    notices = [workspace.notice] if workspace.notice else []
    with lifecycle.prepared_plugins(registry, conf, workspace.path) as failed:
        plan.failed_preparations = failed
        for name, why in sorted(failed.items()):
            notices.append(
                "plugfair: preparing the run for plugin %r failed, so its tests "
                "fail: %s" % (name, why)
            )
        with _session(prepared):
            prepared.all_ids = _discover_ids(plan)
        ids = request.selection.apply(prepared.all_ids, prepared.namespaces)
        if not ids:
            raise NoTestsMatched(request.selection.describe(), len(prepared.all_ids))
        if request.shard is not None:
            shard = request.shard
            repository = workspace.open_repository() if timing is None else None
            chosen = partition(ids, shard, repository=repository, timing=timing)
            if not chosen:
                notices.append(
                    "Shard %s is empty: the %d selected tests fit in fewer than %d "
                    "shards. Nothing to do." % (shard, len(ids), shard.total)
                )
            ids = chosen
        prepared.notice = "\n".join(notices)
        prepared.ids = ids
        yield prepared


def prepare(request: TestRequest) -> Prepared:
    """Resolve everything and select the ids to list or run (see
    :func:`prepared_run`); the plugins' preparations are undone on return."""
    with prepared_run(request) as prepared:
        return prepared


def list_tests(request: TestRequest) -> Prepared:
    """Select the tests ``request`` names (see :func:`prepare`)."""
    return prepare(request)


def _run_succeeded(workspace: Workspace, runs_before: int) -> bool:
    """Whether the run just stored in the repository passed (for --subunit,
    where stestr's own status does not say).

    The rule is stestr's (and so ``tempest run``'s): no test failed or
    errored, and at least one succeeded; a run in which every test skipped
    did not pass.
    """
    import subunit
    import testtools

    repo = workspace.open_repository()
    if repo.count() <= runs_before:
        return False  # the run was not stored: it did not complete
    stream = repo.get_latest_run().get_subunit_stream()
    statuses: list[str] = []
    summary = testtools.StreamToDict(lambda test: statuses.append(test["status"]))
    summary.startTestRun()
    try:
        subunit.ByteStreamToStreamResult(stream).run(summary)
    finally:
        summary.stopTestRun()
    if any(s in ("fail", "uxsuccess") for s in statuses):
        return False
    return any(s in ("success", "xfail") for s in statuses)


class RunOptions:
    """How to run: workers, order and output.

    :param concurrency: worker processes (0: one per CPU).
    :param serial: run in one process.
    :param random: shuffle the tests of each worker.
    :param subunit: write the raw subunit v2 stream instead of the summary.
    :raises UsageError: for ``serial`` with a concurrency, or a negative one.
    """

    def __init__(
        self,
        *,
        concurrency: int = 0,
        serial: bool = False,
        random: bool = False,
        subunit: bool = False,
    ) -> None:
        if serial and concurrency:
            raise UsageError("--serial and --concurrency exclude each other; give one.")
        if concurrency < 0:
            raise UsageError("--concurrency must be 0 (one per CPU) or more.")
        self.concurrency = concurrency
        self.serial = serial
        self.random = random
        self.subunit = subunit


def run_tests(
    request: TestRequest,
    options: RunOptions | None = None,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    binary_stdout: IO[bytes] | None = None,
) -> int:
    """Run the selected tests with stestr; return the exit status.

    Tests of one class always run in the same worker (and land in the same
    shard): class-level fixtures run once.

    :param options: workers, order and output (:class:`RunOptions`).
    :param binary_stdout: where ``--subunit`` writes (default: the binary
        buffer of ``stdout``).
    :returns: 0 if every test passed, 1 otherwise.
    :raises UsageError: see :func:`prepared_run`.
    """
    options = options or RunOptions()
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    with prepared_run(request) as prepared:
        if prepared.notice:
            err.write(prepared.notice + "\n")
        if not prepared.ids:
            return 0
        return _run(prepared, options, target=_target(out, binary_stdout, options.subunit))


def _target(out: IO[str], binary_stdout: IO[bytes] | None, subunit: bool) -> Any:
    if not subunit:
        return out
    raw = binary_stdout if binary_stdout is not None else getattr(out, "buffer", None)
    if raw is None:
        raise UsageError("--subunit needs a binary standard output.")
    return raw


def _run(prepared: Prepared, options: RunOptions, *, target: Any) -> int:
    from stestr import commands as stestr_commands

    test_path, top_dir = suite_paths()
    runs_before = prepared.workspace.open_repository().count()
    fd, load_list = tempfile.mkstemp(prefix="plugfair-ids-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("".join(t + "\n" for t in prepared.ids))
        with _session(prepared):
            try:
                rc = stestr_commands.run_command(
                    config=prepared.workspace.stestr_conf,
                    repo_url=prepared.workspace.path,
                    test_path=test_path,
                    top_dir=top_dir,
                    group_regex=GROUP_REGEX,
                    load_list=load_list,
                    serial=options.serial,
                    random=options.random,
                    concurrency=options.concurrency,
                    subunit_out=options.subunit,
                    pretty_out=not options.subunit,
                    stdout=target,
                )
            except SystemExit as exc:
                rc = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.unlink(load_list)
    if options.subunit:
        target.flush()
        return 0 if _run_succeeded(prepared.workspace, runs_before) else 1
    return 0 if rc == 0 else 1
