"""``plugfair check``: the conformance checker's command."""

from __future__ import annotations

import argparse
import os
from typing import Any

from plugfair.conformance import formats, profiles, rules
from plugfair.interface.commands import Command
from plugfair.interface.errors import UsageError

__all__ = ["Check", "commands"]


def _codes(values: list[str] | None) -> list[str]:
    return [c.strip() for v in values or [] for c in v.split(",") if c.strip()]


class Check(Command):
    """Check plugins (or plugfair itself) against a host's stable interface.

    Exit status: 0 when nothing new is found, 1 when there are violations,
    2 for a usage error (bad target, profile or baseline).
    """

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "targets",
            nargs="*",
            metavar="TARGET",
            help="A source directory, a wheel or sdist file, or the name of an installed "
            "plugin (hosted plugins included) or distribution.",
        )
        parser.add_argument(
            "--profile",
            default=None,
            metavar="NAME",
            help="Built-in profile: %s (default: the one an installed target's plugins come "
            "from, e.g. tempest for a Tempest plugin; otherwise plugfair)." % ", ".join(profiles.builtin_names()),
        )
        parser.add_argument("--profile-file", metavar="PATH", help="Use a profile file of your own.")
        parser.add_argument(
            "--core",
            action="store_true",
            help="Audit plugfair itself: the core names no plugin and every in-tree plugin passes.",
        )
        parser.add_argument(
            "-f",
            "--format",
            dest="report_format",
            choices=sorted(formats.FORMATS),
            default="text",
            help="Report format (default: text).",
        )
        parser.add_argument("--output", "-o", metavar="PATH", help="Write the report to this file.")
        parser.add_argument("--baseline", metavar="FILE", help="Accept the violations listed in FILE.")
        parser.add_argument(
            "--write-baseline",
            metavar="FILE",
            help="Write every violation found to FILE (and exit 0), to adopt the check gradually.",
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--static-only", dest="dynamic", action="store_false", default=None, help="Skip the dynamic checks."
        )
        mode.add_argument(
            "--dynamic", dest="dynamic", action="store_true", help="Run the dynamic checks (the default when the profile supports them)."
        )
        parser.add_argument(
            "--no-list-tests", dest="list_tests", action="store_false", help="Do not list each plugin's tests."
        )
        parser.add_argument(
            "--select", action="append", metavar="CODES", help="Only these rule codes or prefixes (comma-separated)."
        )
        parser.add_argument(
            "--ignore", action="append", metavar="CODES", help="Never report these rule codes or prefixes."
        )
        parser.add_argument(
            "--timeout", type=float, default=120.0, metavar="SECONDS", help="Limit for loading one plugin (default: 120)."
        )
        parser.add_argument(
            "--hook-timeout", type=float, default=10.0, metavar="SECONDS", help="Limit for one hook (default: 10)."
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=0,
            metavar="N",
            help="Processes for the static checks (default: 0, one per CPU when there is enough code).",
        )
        parser.add_argument("--list-rules", action="store_true", help="List every rule and exit.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        if parsed_args.list_rules:
            for rule in rules.RULES.values():
                self.app.stdout.write("%s %-22s %-8s %s\n" % (rule.code, rule.name, rule.kind, rule.summary))
            return 0
        # Imported here: every plugfair command loads this module to list
        # its commands, and only 'check' needs the checker.
        from plugfair.conformance.check import CheckRequest, run_check

        request = CheckRequest(
            targets=parsed_args.targets,
            profile=parsed_args.profile,
            profile_file=parsed_args.profile_file,
            core=parsed_args.core,
            dynamic=parsed_args.dynamic,
            baseline=parsed_args.baseline,
            write_baseline=parsed_args.write_baseline,
            select=_codes(parsed_args.select),
            ignore=_codes(parsed_args.ignore),
            list_tests=parsed_args.list_tests,
            timeout=parsed_args.timeout,
            hook_timeout=parsed_args.hook_timeout,
            jobs=parsed_args.jobs,
        )
        result = run_check(request, registry=self.registry)
        if parsed_args.output:
            try:
                with open(parsed_args.output, "w", encoding="utf-8") as out:
                    formats.write(result, parsed_args.report_format, out)
            except OSError as exc:
                raise UsageError(
                    "Cannot write the report to %s (%s)." % (parsed_args.output, exc.strerror or exc)
                ) from None
            if parsed_args.report_format != "text":
                self.app.stdout.write(
                    "%d new violation(s); %s report written to %s\n"
                    % (len(result.new), parsed_args.report_format, os.path.abspath(parsed_args.output))
                )
        else:
            formats.write(result, parsed_args.report_format, self.app.stdout)
        return result.exit_code


def commands() -> dict[str, type[Any]]:
    return {"check": Check}
