"""Parity on the tests host: list-tests and run --plugin."""

from __future__ import annotations

import os
import re

from plugfair.tests.parity import base

_CONTRACT = re.compile(r"(^|\.)contract\.(\w+)\.(.+)$")


class TestsHostParityTest(base.ParityTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.workspace = os.path.join(self.work, "ws")
        self.cli_process("workspace", "init", self.workspace)
        self.selection = [arg for name in self.everyone for arg in ("--plugin", name)]

    def test_list_tests_alike(self) -> None:
        out = self.cli_process("list-tests", "--workspace", self.workspace, *self.selection)
        contract: dict[str, set[str]] = {}
        own: dict[str, set[str]] = {}
        for test_id in (line.strip() for line in out.splitlines()):
            test_id = re.sub(r"\[.*\]$", "", test_id)
            match = _CONTRACT.search(test_id)
            if match:
                contract.setdefault(match.group(2), set()).add(match.group(3))
            elif test_id:
                own.setdefault(test_id.split(".")[0], set()).add(test_id)
        # Every plugin gets the same generated contract tests...
        self.assertEqual(set(self.everyone), set(contract))
        for name in self.everyone:
            self.assertEqual(contract[self.outside], contract[name], name)
        # ...and its own tests are found through the same hook, under its
        # own package: the example's package and the in-tree package.
        self.assertEqual(2, len(own), str(sorted(own)))

    def test_run_contract_tests_alike(self) -> None:
        out = self.cli_process("run", "--workspace", self.workspace, *self.selection,
                               "--regex", r"contract\.")
        passed = re.search(r"Passed: (\d+)", out)
        failed = re.search(r"Failed: (\d+)", out)
        assert passed is not None and failed is not None, out
        self.assertEqual("0", failed.group(1))
        listed = self.cli_process("list-tests", "--workspace", self.workspace, *self.selection,
                                  "--regex", r"contract\.")
        per_plugin: dict[str, int] = {}
        for line in listed.splitlines():
            match = _CONTRACT.search(line.strip())
            if match:
                per_plugin[match.group(2)] = per_plugin.get(match.group(2), 0) + 1
        self.assertEqual(1, len(set(per_plugin.values())), str(per_plugin))
        self.assertEqual(sum(per_plugin.values()), int(passed.group(1)))
