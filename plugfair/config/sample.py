"""Writing a sample configuration file with every plugin's options."""

from __future__ import annotations

from typing import IO

from oslo_config import cfg, generator

__all__ = ["FORMATS", "write_sample"]

FORMATS = ("ini", "yaml", "json", "rst")


def write_sample(out: IO[str], *, fmt: str = "ini", wrap_width: int = 70) -> None:
    """Write the sample for namespace ``plugfair`` to ``out``.

    This is exactly what ``oslo-config-generator --namespace plugfair``
    writes: plugfair's ``[plugfair]`` group and every usable installed
    plugin's groups, in alphabetical order.
    """
    conf = cfg.ConfigOpts()
    generator.register_cli_opts(conf)
    conf(
        args=["--namespace", "plugfair", "--format", fmt, "--wrap-width", str(wrap_width)],
        default_config_files=[],
        default_config_dirs=[],
    )
    generator.generate(conf, output_file=out)
