"""Parity on the CLI host: plugin list/show, help, config sample."""

from __future__ import annotations

import re

from plugfair.tests.parity import base

_FLAG = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


class PluginListParityTest(base.ParityTestCase):
    def test_same_columns_status_and_ordering(self) -> None:
        rows = self.cli_json("plugin", "list")
        names = [r["Name"] for r in rows]
        self.assertEqual(sorted(names), names, "plugins are ordered by name only")
        by_name = {r["Name"]: r for r in rows}
        for name in self.everyone:
            self.assertEqual("ok", by_name[name]["Status"], name)
            self.assertEqual(sorted(by_name[self.outside]), sorted(by_name[name]))
        # The same capabilities are spelled and ordered the same way.
        caps = {n: by_name[n]["Capabilities"] for n in self.everyone}
        for name in self.inside:
            if set(caps[name].split(", ")) == set(caps[self.outside].split(", ")):
                self.assertEqual(caps[self.outside], caps[name])

    def test_plugin_show_has_the_same_fields(self) -> None:
        outside = self.cli_json("plugin", "show", self.outside)
        self.assertEqual(self.outside, outside["name"])
        for name in self.inside:
            shown = self.cli_json("plugin", "show", name)
            self.assertEqual(sorted(outside), sorted(shown), name)
            self.assertEqual("ok", shown["status"])


class HelpParityTest(base.ParityTestCase):
    def _commands_by_plugin(self) -> dict[str, list[str]]:
        out = self.cli("--help")
        found: dict[str, list[str]] = {}
        entry = ""
        for line in out.split("Commands", 1)[1].splitlines()[1:]:
            if re.match(r"^  \S", line):
                entry = line.strip()
            elif line.startswith("    "):
                entry += " " + line.strip()
            else:
                continue
            match = re.match(r"^(\S+(?: \S+)*?)  .*\[(\w+)\]$", entry)
            if match:
                found.setdefault(match.group(2), []).append(match.group(1))
        return found

    def test_every_command_is_listed_with_its_provider(self) -> None:
        listed = self._commands_by_plugin()
        for name in self.everyone:
            shown = self.cli_json("plugin", "show", name)["commands"]
            declared = sorted(c for c in shown.split("\n") if c)
            self.assertEqual(declared, sorted(listed.get(name, [])), name)

    def _help(self, command: str) -> tuple[set[str], list[str]]:
        text = self.cli("help", *command.split())
        formatter_part = text.split("output formatters", 1)[1] if "output formatters" in text else ""
        flags = set(_FLAG.findall(formatter_part))
        # The epilog may wrap: read it as one paragraph.
        flat = " ".join(text.split())
        provided = re.findall(r"This command is provided by the plugin '\w+' "
                              r"\(distribution \S+ \S+\)\.", flat)
        # The plugin's and distribution's names differ; the form must not.
        return flags, [
            re.sub(r"plugin '\w+' \(distribution \S+ \S+\)", "plugin 'X' (distribution D V)", p)
            for p in provided
        ]

    def test_list_commands_get_the_same_formatter_flags_and_epilog(self) -> None:
        def lists(plugin: str) -> list[str]:
            cmds = self.cli_json("plugin", "show", plugin)["commands"].split("\n")
            return [c for c in cmds if c.endswith(" list")]

        outside_cmds = lists(self.outside)
        self.assertTrue(outside_cmds)
        flags, epilog = self._help(outside_cmds[0])
        self.assertIn("--format", flags)
        for name in self.inside:
            for command in lists(name):
                self.assertEqual((flags, epilog), self._help(command),
                                 "%s (%s) vs %s (%s)" % (command, name, outside_cmds[0],
                                                         self.outside))


class ConfigSampleParityTest(base.ParityTestCase):
    def test_groups_are_ordered_and_formatted_alike(self) -> None:
        text = self.cli("config", "sample")
        groups = re.findall(r"^\[(\w+)\]$", text, flags=re.M)
        self.assertEqual(sorted(groups), groups)
        for name in self.everyone:
            self.assertIn(name, groups)

        def block(group: str) -> str:
            return text.split("[%s]\n" % group, 1)[1].split("\n[", 1)[0]

        def shape(group: str) -> set[str]:
            # The kinds of lines the generator writes, without the words.
            kinds = set()
            for line in block(group).splitlines():
                if re.match(r"^#\w+ = ", line):
                    kinds.add("option")
                elif re.search(r"^#.*\(\w+(?: \w+)* value\)$", line):
                    kinds.add("type")
            return kinds

        self.assertEqual({"option", "type"}, shape(self.outside))
        for name in self.inside:
            self.assertEqual(shape(self.outside), shape(name), name)
