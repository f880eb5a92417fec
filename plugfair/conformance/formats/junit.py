"""JUnit XML: one test suite per target, one test case per file or check.

The document follows ``schemas/junit.xsd`` (the shape CI servers such as
Jenkins and Zuul read).  Baselined violations do not fail their test case.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import IO

from plugfair.conformance import rules
from plugfair.conformance.report import CheckResult, Violation

__all__ = ["write", "CHECK_OF_CODE"]

#: Dynamic rule -> the check (test case) it fails.
CHECK_OF_CODE = {code: rule.check for code, rule in rules.RULES.items() if rule.check}


def _failure(case: ET.Element, v: Violation) -> None:
    node = ET.SubElement(case, "failure", {"type": v.code, "message": v.full_message()})
    node.text = "%s:%d: %s %s" % (v.path, v.line, v.code, v.full_message())


def write(result: CheckResult, out: IO[str]) -> None:
    root = ET.Element("testsuites", {"name": "plugfair check"})
    total_tests = total_failures = 0
    for target in result.targets:
        mine = [v for v in result.new if v.target == target.label]
        by_file: dict[str, list[Violation]] = defaultdict(list)
        by_check: dict[tuple[str, str], list[Violation]] = defaultdict(list)
        extra: list[Violation] = []
        for v in mine:
            check = CHECK_OF_CODE.get(v.code)
            if check is not None and (v.name or "(none)", check) in target.checks:
                by_check[(v.name or "(none)", check)].append(v)
            elif v.relpath in target.files:
                by_file[v.relpath].append(v)
            else:
                extra.append(v)
        suite = ET.SubElement(root, "testsuite", {"name": "%s (%s)" % (target.label, target.kind)})
        tests = failures = 0
        for relpath in target.files:
            case = ET.SubElement(suite, "testcase", {"classname": target.label, "name": relpath, "time": "0"})
            tests += 1
            if by_file.get(relpath):
                failures += 1
                for v in by_file[relpath]:
                    _failure(case, v)
        for plugin, check in target.checks:
            case = ET.SubElement(
                suite, "testcase", {"classname": "%s.dynamic" % target.label, "name": "%s: %s" % (plugin, check), "time": "0"}
            )
            tests += 1
            if by_check.get((plugin, check)):
                failures += 1
                for v in by_check[(plugin, check)]:
                    _failure(case, v)
        if extra:
            case = ET.SubElement(suite, "testcase", {"classname": target.label, "name": "other", "time": "0"})
            tests += 1
            failures += 1
            for v in extra:
                _failure(case, v)
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        suite.set("time", "%.3f" % result.duration)
        total_tests += tests
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    root.set("time", "%.3f" % result.duration)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
