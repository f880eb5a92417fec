"""``config sample``."""

from __future__ import annotations

import argparse

from plugfair.interface.commands import Command

# plugfair.config.sample (oslo.config's generator, docutils...) is imported
# only when the command runs: the plugin probe lists this command too.


class ConfigSample(Command):
    """Write a sample configuration with every installed plugin's options."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        from plugfair.config import sample

        parser = super().get_parser(prog_name)
        parser.add_argument(
            "--output-file",
            metavar="PATH",
            help="Write to this file instead of standard output.",
        )
        parser.add_argument(
            "-f",
            "--format",
            dest="sample_format",
            choices=sample.FORMATS,
            default="ini",
            help="Output format (default: ini).",
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        from plugfair.config import sample

        if parsed_args.output_file:
            with open(parsed_args.output_file, "w", encoding="utf-8") as f:
                sample.write_sample(f, fmt=parsed_args.sample_format)
        else:
            sample.write_sample(self.app.stdout, fmt=parsed_args.sample_format)
        return 0


def commands() -> dict[str, type]:
    return {"config sample": ConfigSample}
