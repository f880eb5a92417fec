"""Entry point of the ``plugfair`` command.

``plugfair``, ``plugfair --help``, ``plugfair help`` and ``plugfair plugin
list`` (table output, no options) are answered from the manifest cache
without importing cliff, oslo.config or any plugin
(:mod:`plugfair.cli.fasttable` prints the table as cliff would, or
declines).  Everything else goes to the cliff application, which imports
only the plugin whose command runs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from plugfair.cli import options as gopts
from plugfair.interface.text import printable

__all__ = ["main"]

_VALUED = {f for o in gopts.ALL_OPTIONS if o.metavar for f in o.flags}
_FLAGS = {f for o in gopts.ALL_OPTIONS if not o.metavar for f in o.flags}
#: cliff's logging options: with one of these, cliff answers.
_LOGGING = {"-v", "--verbose", "-q", "--quiet", "--debug", "--log-file"}

#: Prefixes of the entry-point groups cliff reads while it runs a command:
#: its formatters, and plugfair's command hooks (cliff names a command's
#: hook group after the application's namespace, which is None for
#: plugfair: ``None.<command_with_underscores>``).  The manifest lists
#: them, so no command reads stevedore's cache (see plugfair.cli.app).
CLIFF_GROUPS = ("cliff.formatter.", "None.")

#: The entry point of plugfair's own commands (setup.cfg; a test checks
#: it): ``plugin list`` is answered without cliff only when they provide it.
BUILTIN_TARGET = "plugfair.cli.builtin:PlugfairPlugin"

DESCRIPTION = (
    "plugfair: one plugin interface for tests, CLI commands and quota. "
    "Every command below comes from a plugin."
)


class _Pre:
    def __init__(self) -> None:
        self.config_file: list[str] = []
        self.config_dir: list[str] = []
        self.help = False
        self.no_cache = False
        self.strict = False
        self.version = False
        self.command: list[str] = []
        #: Everything from the first command word on.
        self.rest: list[str] = []
        #: A logging option of cliff's was given.
        self.logging = False
        self.unknown_option = False
        #: The manifest read by the fast path, and the registry made of it
        #: with the configuration fastconf read, for the full path.
        self.manifest: object = None
        self.registry: object = None


def _preparse(argv: Sequence[str]) -> _Pre:
    """Split global options from the command words (no validation)."""
    pre = _Pre()
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-") or arg == "-":
            # Only the leading words can name the command.
            words = []
            for a in argv[i:]:
                if a.startswith("-"):
                    break
                words.append(a)
            pre.command = words
            pre.rest = list(argv[i:])
            break
        name, eq, value = arg.partition("=")
        if name in _LOGGING or (arg.startswith("-v") and not arg.startswith("--")):
            pre.logging = True
        if name in _VALUED:
            if not eq:
                i += 1
                value = argv[i] if i < len(argv) else ""
            if name == "--config-file":
                pre.config_file.append(value)
            elif name == "--config-dir":
                pre.config_dir.append(value)
        elif arg in ("-h", "--help"):
            pre.help = True
        elif arg == "--no-cache":
            pre.no_cache = True
        elif arg == "--strict":
            pre.strict = True
        elif arg == "--version":
            pre.version = True
        elif arg in _FLAGS or arg.startswith("-v"):
            pass
        else:
            pre.unknown_option = True
        i += 1
    return pre


def _fast_registry(pre: _Pre):  # type: ignore[no-untyped-def]
    from plugfair.cli import fastconf
    from plugfair.registry import manifest
    from plugfair.registry.core import Registry

    conf = fastconf.read(pre.config_file, pre.config_dir)
    if conf is None:
        return None
    found = manifest.load(
        use_cache=conf.manifest_cache and not pre.no_cache, timeout=conf.hook_timeout, groups=CLIFF_GROUPS
    )
    pre.manifest = found
    pre.registry = Registry(
        found.records,
        enabled=conf.enabled_plugins,
        disabled=conf.disabled_plugins,
        hook_timeout=conf.hook_timeout,
        command_providers=conf.command_providers,
        service_providers=conf.service_providers,
    )
    return pre.registry


def _wrap(text: str, indent: int, width: int) -> list[str]:
    room = max(width - indent, 20)
    if len(text) <= room:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > room:
            lines.append(line)
            line = word
        else:
            line = "%s %s" % (line, word) if line else word
    lines.append(line)
    return lines


def render_help(registry, out) -> None:  # type: ignore[no-untyped-def]
    """Write the top-level help: global options, then every command."""
    width = 79
    out.write(_usage(width) + "\n\n" + DESCRIPTION + "\n\noptions:\n")
    for opt in gopts.ALL_OPTIONS:
        _write_option(out, opt, width)
    commands = dict(registry.commands())
    commands.setdefault("complete", ("cliff", "print bash completion command"))
    commands.setdefault("help", ("cliff", "print detailed help for another command"))
    out.write("\nCommands (the provider is in brackets):\n")
    name_width = min(max((len(n) for n in commands), default=10), 30)
    for name in sorted(commands):
        plugin, summary = commands[name]
        summary = printable(summary)
        text = "%s [%s]" % (summary, plugin) if summary else "[%s]" % plugin
        _write_entry(out, name, text, name_width, width)
    _write_contested(out, registry, name_width, width)
    _write_problems(out, registry, width)


def _usage(width: int) -> str:
    words = ["usage: plugfair"]
    for opt in gopts.ALL_OPTIONS:
        flag = opt.flags[-1] if opt.flags[-1].startswith("--") else opt.flags[0]
        words.append("[%s%s]" % (flag, " " + opt.metavar if opt.metavar else ""))
    lines: list[str] = []
    line = ""
    for word in words:
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = " " * 16
        line = (line + " " + word) if line.strip() else line + word
    lines.append(line)
    return "\n".join(lines)


def _write_option(out, opt, width: int) -> None:  # type: ignore[no-untyped-def]
    head = ", ".join(f + (" " + opt.metavar if opt.metavar else "") for f in opt.flags)
    body = _wrap(opt.help, 24, width)
    if len(head) <= 20:
        out.write("  %-21s %s\n" % (head, body[0]))
    else:
        out.write("  %s\n%s%s\n" % (head, " " * 24, body[0]))
    for more in body[1:]:
        out.write(" " * 24 + more + "\n")


def _write_entry(out, name: str, text: str, name_width: int, width: int) -> None:  # type: ignore[no-untyped-def]
    body = _wrap(text, name_width + 5, width)
    out.write("  %-*s  %s\n" % (name_width, name, body[0]))
    for more in body[1:]:
        out.write(" " * (name_width + 4) + more + "\n")


def _write_contested(out, registry, name_width: int, width: int) -> None:  # type: ignore[no-untyped-def]
    contested = sorted({c.item for c in registry.collisions if c.kind == "command"})
    if not contested:
        return
    qualified = registry.qualified_commands()
    header = (
        "Contested commands (several plugins provide them; run them as "
        "'plugfair <plugin> <command>', or pick one with '[plugfair] "
        "command_providers'):"
    )
    out.write("\n" + "\n".join(_wrap(header, 0, width)) + "\n")
    for name in contested:
        forms = [q for q, (_p, cmd, _s) in qualified.items() if cmd == name]
        _write_entry(out, name, ", ".join(forms), name_width, width)


def _write_problems(out, registry, width: int) -> None:  # type: ignore[no-untyped-def]
    # Say why here too: if the plugin that provides 'plugin doctor' is the
    # broken one, this is the only place the reason shows.
    problems = registry.problems()
    if not problems:
        return
    out.write(
        "\n%d plugin(s) have problems (run 'plugfair plugin doctor' for "
        "remedies):\n" % len(problems)
    )
    for rec in problems:
        name = printable(rec.name)  # an entry point's name is the plugin's text too
        reason = printable(" ".join(rec.problems[0].reason.split()) if rec.problems else rec.status)
        if len(reason) > width - 8 - len(name):
            reason = reason[: width - 11 - len(name)] + "..."
        out.write("  %s: %s\n" % (name, reason))


def _unknown_command(registry, words: list[str]) -> str | None:  # type: ignore[no-untyped-def]
    """Return an error message if ``words`` name no usable command."""
    commands = set(registry.commands()) | set(registry.qualified_commands()) | {"help", "complete"}
    for i in range(len(words), 0, -1):
        name = " ".join(words[:i])
        if name in commands:
            return None
        # cliff accepts unique prefixes of command words
        if len([c for c in commands if _prefix_match(words[:i], c)]) == 1:
            return None
    wanted = " ".join(words)
    for i in range(len(words), 0, -1):
        owner = registry.command_owner(" ".join(words[:i]))
        if owner is not None:
            name = " ".join(words[:i])
            if owner.status == "disabled":
                why = "plugin %r, which is disabled by configuration" % owner.name
                fix = "Enable it in [plugfair] enabled_plugins/disabled_plugins."
            elif name in {c.item for c in registry.collisions if c.kind == "command"}:
                who = [
                    c for c in registry.collisions if c.kind == "command" and c.item == name
                ][0]
                why = "more than one plugin (%s), so neither is used" % ", ".join(
                    "%s from %s" % (p, d) for p, d in who.claimants
                )
                fix = "Run it as %s, or pick one with '[plugfair] command_providers = " \
                    "%s:<plugin>'." % (
                        " or ".join("'plugfair %s %s'" % (p, name) for p, _ in who.claimants),
                        name,
                    )
            else:
                why = "plugin %r, which is not usable (%s)" % (owner.name, owner.status)
                fix = "Run 'plugfair plugin doctor %s'." % owner.name
            return "plugfair: the command '%s' is provided by %s. %s" % (name, why, fix)
    broken = _broken_plugin_named(registry, words[0])
    if broken is not None:
        return broken
    import difflib

    close = difflib.get_close_matches(wanted, sorted(commands), n=3, cutoff=0.6)
    hint = " Did you mean: %s?" % ", ".join(close) if close else ""
    return "plugfair: '%s' is not a plugfair command. See 'plugfair --help'.%s" % (
        wanted,
        hint,
    )


def _broken_plugin_named(registry, word: str) -> str | None:  # type: ignore[no-untyped-def]
    """A message for a command word that names a plugin that is not usable.

    A plugin that fails before its commands are known (at import, say)
    declares none, but commands usually start with the plugin's name.
    """
    recs = [x for x in registry.records() if x.name == word]
    if not recs or any(x.usable and x.status != "disabled" for x in recs):
        return None
    rec = recs[0]
    if rec.status == "disabled":
        return (
            "plugfair: '%s' names plugin %r, which is disabled by configuration; "
            "its commands are not available. Enable it in [plugfair] "
            "enabled_plugins/disabled_plugins." % (word, word)
        )
    reason = rec.problems[0].reason if rec.problems else rec.status
    return (
        "plugfair: '%s' names plugin %r, which %s, so its commands are not "
        "available: %s. Run 'plugfair plugin doctor %s'."
        % (word, word, "failed to load" if rec.status == "failed" else "is " + rec.status,
           " ".join(reason.split()), word)
    )


def _prefix_match(words: list[str], command: str) -> bool:
    parts = command.split(" ")
    return len(parts) == len(words) and all(p.startswith(w) for p, w in zip(parts, words, strict=True))


def _strict_failure(registry) -> bool:  # type: ignore[no-untyped-def]
    """With ``--strict``: say which plugins have problems; whether any has."""
    bad = registry.problems()
    if bad:
        sys.stderr.write(
            "plugfair: --strict: %d plugin(s) have problems: %s. Run "
            "'plugfair plugin doctor' for reasons and remedies.\n"
            % (len(bad), printable(", ".join(sorted({p.name for p in bad}))))
        )
    return bool(bad)


def _plugin_list(registry, strict: bool) -> int | None:  # type: ignore[no-untyped-def]
    """``plugin list`` as cliff prints it, or ``None`` to let cliff answer
    (another plugin provides the command, the registry has something to
    say on the log, or the table is one only cliff prints right)."""
    owner = registry.commands().get("plugin list")
    if owner is None or registry.notes:
        return None
    providers = [x for x in registry.records() if x.name == owner[0] and x.status != "disabled"]
    if [x.target for x in providers] != [BUILTIN_TARGET]:
        return None
    from plugfair.cli import fasttable
    from plugfair.registry import report

    table = fasttable.render(report.LIST_COLUMNS, report.plugin_rows(registry))
    if table is None:
        return None
    sys.stdout.write(table)
    return 1 if strict and _strict_failure(registry) else 0


def _wants_help(pre: _Pre) -> bool:
    # Without a command (global options only), plugfair prints the help:
    # it has no interactive shell.
    return (
        (pre.help and not pre.command)
        or pre.command == ["help"]
        or (not pre.command and not pre.version)
    ) and not pre.unknown_option


def _fast(pre: _Pre) -> int | None:
    """Answer from the manifest without cliff, if this can: the exit
    status, or ``None`` to let cliff answer."""
    wants_help = _wants_help(pre)
    if not (wants_help or pre.command):
        return None
    registry = _fast_registry(pre)
    if registry is None:
        return None
    if wants_help:
        render_help(registry, sys.stdout)
        # --strict: the help is printed, but any problem fails.
        return 1 if pre.strict and _strict_failure(registry) else 0
    error = _unknown_command(registry, pre.command)
    if error:
        sys.stderr.write(printable(error) + "\n")
        return 1
    if pre.rest == ["plugin", "list"] and not (pre.logging or pre.version or pre.unknown_option):
        return _plugin_list(registry, pre.strict)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``plugfair`` command; return its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    pre = _preparse(args)
    rc = _fast(pre)
    if rc is not None:
        return rc
    from plugfair.cli.app import PlugfairApp

    try:
        return PlugfairApp(manifest=pre.manifest, registry=pre.registry).run(args)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
        return code if isinstance(code, int) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
