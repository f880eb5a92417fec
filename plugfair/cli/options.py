"""The global options of the ``plugfair`` command, declared once.

Both the cliff application (which parses them) and the fast help path
(which prints them without importing cliff) read this table.  This module
imports nothing.
"""

from __future__ import annotations

__all__ = ["GlobalOption", "PLUGFAIR_OPTIONS", "CLIFF_OPTIONS", "ALL_OPTIONS"]


class GlobalOption:
    """One global option: its flags, value name and help.

    (A plain class, not a ``typing.NamedTuple``: ``plugfair --help``
    imports this module and not :mod:`typing`.)
    """

    __slots__ = ("flags", "metavar", "help", "dest", "repeat")

    def __init__(
        self, flags: tuple[str, ...], metavar: str | None, help: str, dest: str = "", repeat: bool = False
    ) -> None:
        self.flags = flags
        #: ``None``: a flag that takes no value.
        self.metavar = metavar
        self.help = help
        self.dest = dest
        self.repeat = repeat


#: Options cliff's App adds itself (listed here only to print and skip them).
CLIFF_OPTIONS = (
    GlobalOption(("--version",), None, "show program's version number and exit"),
    GlobalOption(("-v", "--verbose"), None, "Increase verbosity of output. Can be repeated."),
    GlobalOption(("-q", "--quiet"), None, "Suppress output except warnings and errors."),
    GlobalOption(("--log-file",), "LOG_FILE", "Specify a file to log output. Disabled by default."),
    GlobalOption(("-h", "--help"), None, "Show help message and exit."),
    GlobalOption(("--debug",), None, "Show tracebacks on errors."),
)

#: plugfair's own global options.
PLUGFAIR_OPTIONS = (
    GlobalOption(
        ("--config-file",),
        "PATH",
        "Read this configuration file. Can be repeated; later files win. "
        "Default: plugfair.conf in ~/.plugfair, ~, /etc/plugfair or /etc.",
        dest="config_file",
        repeat=True,
    ),
    GlobalOption(
        ("--config-dir",),
        "DIR",
        "Read every *.conf file in this directory, after the files. Can be "
        "repeated.",
        dest="config_dir",
        repeat=True,
    ),
    GlobalOption(
        ("--strict",),
        None,
        "Exit non-zero if any enabled plugin failed, was refused or "
        "collides with another (for CI).",
        dest="strict",
    ),
    GlobalOption(
        ("--no-cache",),
        None,
        "Probe the installed plugins afresh instead of reading the manifest "
        "cache.",
        dest="no_cache",
    ),
)

ALL_OPTIONS = CLIFF_OPTIONS + PLUGFAIR_OPTIONS
