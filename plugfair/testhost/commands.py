"""``run``, ``list-tests`` and ``workspace init``: thin cliff commands."""

from __future__ import annotations

import argparse
from typing import Any

from plugfair.interface.commands import Command
from plugfair.interface.errors import UsageError
from plugfair.testhost import runner, workspace
from plugfair.testhost.selection import Selection, Shard

__all__ = ["RunTests", "ListTests", "WorkspaceInit", "commands"]


class _CoreCommand(Command):
    """A command of plugfair's own distribution.

    cliff's default epilog looks up the distribution of the command's
    module with ``importlib.metadata.packages_distributions()``, which reads
    the file list of every installed distribution (over half a second with
    a hundred plugins installed) only to conclude that plugfair's own
    commands come from the application's distribution and need no epilog.
    """

    def get_epilog(self) -> str:
        parts = [self._epilog or ""]
        for hook in getattr(self, "_hooks", []):
            text = hook.obj.get_epilog() if hook.obj is not None else None
            if text is not None:
                parts.append(text)
        return "\n\n".join(parts)


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "filters",
        metavar="REGEX",
        nargs="*",
        default=[],
        help="Same as --regex (as with 'stestr run REGEX...').",
    )
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        help="The workspace to use. Default: the current directory if it is "
        "a workspace, else $PLUGFAIR_WORKSPACE or the user's default workspace "
        "(~/.local/share/plugfair/workspace on Linux), created on first use. "
        "Create others with 'plugfair workspace init DIR'.",
    )
    parser.add_argument(
        "--plugin",
        metavar="NAME",
        action="append",
        default=[],
        help="Only the tests of this plugin: its own tests and its contract "
        "tests. Can be repeated.",
    )
    parser.add_argument(
        "--regex",
        metavar="REGEX",
        action="append",
        default=[],
        help="Only tests whose id matches this regular expression (searched, "
        "not anchored). Can be repeated: a test matching any is taken.",
    )
    parser.add_argument(
        "--exclude-regex",
        metavar="REGEX",
        action="append",
        default=[],
        help="Leave out tests whose id matches. Can be repeated.",
    )
    parser.add_argument(
        "--include-list",
        metavar="FILE",
        help="A file of regular expressions, one per line ('#' starts a "
        "comment); tests matching any are taken, like --regex.",
    )
    parser.add_argument(
        "--exclude-list",
        metavar="FILE",
        help="A file of regular expressions, one per line; tests matching "
        "any are left out.",
    )
    parser.add_argument(
        "--shard",
        metavar="I/N",
        help="Take only shard I of N of the selected tests (1 <= I <= N): a "
        "deterministic split for running on N machines, balanced by the "
        "timing data of --timing-from, else of the workspace's stestr "
        "repository when it has some, by test id otherwise. A test class "
        "is never split.",
    )
    parser.add_argument(
        "--timing-from",
        metavar="FILE",
        action="append",
        default=[],
        help="A subunit v2 stream of an earlier run (plugfair run --subunit, "
        "stestr last --subunit): --shard balances the shards by the test "
        "durations in it. Can be repeated (the shards of a CI matrix).",
    )


def _request(cmd: Command, parsed: argparse.Namespace) -> runner.TestRequest:
    options = cmd.app.options
    return runner.TestRequest(
        workspace=parsed.workspace,
        config_files=getattr(options, "config_file", None) or [],
        config_dirs=getattr(options, "config_dir", None) or [],
        selection=Selection(
            plugins=parsed.plugin,
            regexes=list(parsed.filters) + list(parsed.regex),
            exclude_regexes=parsed.exclude_regex,
            include_list=parsed.include_list,
            exclude_list=parsed.exclude_list,
        ),
        shard=Shard.parse(parsed.shard) if parsed.shard is not None else None,
        use_cache=False if getattr(options, "no_cache", False) else None,
        timing_from=parsed.timing_from,
    )


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a whole number" % text) from None
    if value < 0:
        raise argparse.ArgumentTypeError("%d is negative" % value)
    return value


class RunTests(_CoreCommand):
    """Run the tests of every enabled plugin with stestr.

    Exits 0 when every test passed, 1 when a test failed and 2 on a usage
    error, including filters that match no test.
    """

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        _add_selection(parser)
        parser.add_argument(
            "--concurrency",
            metavar="N",
            type=_count,
            default=0,
            help="Number of worker processes (default 0: one per CPU).",
        )
        parser.add_argument(
            "--serial", action="store_true", help="Run every test in one process."
        )
        parser.add_argument(
            "--random",
            action="store_true",
            help="Run the tests of each worker in random order (as 'stestr run "
            "--random'), to find tests that depend on what ran before them.",
        )
        parser.add_argument(
            "--subunit",
            action="store_true",
            help="Write the raw subunit v2 stream to standard output instead "
            "of the summary (e.g. to merge shards with 'stestr load').",
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        return runner.run_tests(
            _request(self, parsed_args),
            runner.RunOptions(
                concurrency=parsed_args.concurrency,
                serial=parsed_args.serial,
                random=parsed_args.random,
                subunit=parsed_args.subunit,
            ),
            stdout=self.app.stdout,
            stderr=self.app.stderr,
        )


class ListTests(_CoreCommand):
    """List the ids of the tests 'plugfair run' would run, one per line."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        _add_selection(parser)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        prepared = runner.list_tests(_request(self, parsed_args))
        if prepared.notice:
            self.app.stderr.write(prepared.notice + "\n")
        self.app.stdout.write("".join(t + "\n" for t in prepared.ids))
        return 0


class WorkspaceInit(_CoreCommand):
    """Create a workspace: .stestr.conf, a stestr repository and plugfair.conf."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("directory", metavar="DIR", help="The directory (created if missing).")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        if not parsed_args.directory:
            raise UsageError("Give the workspace directory.")
        ws = workspace.init_workspace(parsed_args.directory)
        self.app.stdout.write(
            "Created workspace %s. Edit %s, then run 'plugfair run --workspace %s'.\n"
            % (ws.path, ws.plugfair_conf, parsed_args.directory)
        )
        return 0


def commands() -> dict[str, type[Any]]:
    return {
        "run": RunTests,
        "list-tests": ListTests,
        "workspace init": WorkspaceInit,
    }
