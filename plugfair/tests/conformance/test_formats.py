"""Every output format, validated against its schema."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
import types
from typing import Any

import fixtures
import jsonschema  # type: ignore[import-untyped]
import testtools
from lxml import etree  # type: ignore[import-untyped]

from plugfair.conformance import formats, profiles, rules
from plugfair.conformance.check import CheckRequest, run_check
from plugfair.tests import base
from plugfair.tests.conformance.util import write_tree

# The official OASIS SARIF 2.1.0 schema (errata01), kept beside the tests
# so that validating our output needs no third-party package.
SARIF_SCHEMA = json.loads(
    open(os.path.join(os.path.dirname(__file__), "schemas", "sarif-schema-2.1.0.json"),
         encoding="utf-8").read()
)

TREE = {
    "setup.cfg": "[metadata]\nname = mixed\n",
    "mixed/__init__.py": "",
    "mixed/a.py": """
        import plugfair.api as api
        from plugfair.registry import core
        from plugfair.api import _LAZY
        api.Plugin = None
    """,
    "mixed/b.py": "from unittest import mock\nmock.patch('plugfair.registry.core.Registry')\n",
    "mixed/c.py": "import plugfair.api\ndef broken(:\n",
}


def schema(name):
    return profiles.data_path("schemas", name)


class TestFormats(base.TestCase):
    tmp: str
    tree: str
    result: Any

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="plugfair-formats-")
        cls.tree = write_tree(os.path.join(cls.tmp, "mixed"), TREE)
        baseline = os.path.join(cls.tmp, "baseline.json")
        # Accept one violation, so reports carry both kinds.
        run_check(CheckRequest(targets=[cls.tree], dynamic=False, select=["PF000"], write_baseline=baseline))
        # Dynamic checks on a directory without an entry point add PF101
        # (no other plugin's record is needed for that).
        no_others = types.SimpleNamespace(records=lambda: [])
        cls.result = run_check(CheckRequest(targets=[cls.tree], dynamic=True, baseline=baseline), registry=no_others)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def test_the_result_has_every_kind_of_finding(self):
        self.assertEqual(
            {"PF000", "PF001", "PF002", "PF003", "PF006", "PF101"}, {v.code for v in self.result.violations}
        )
        self.assertEqual(1, len(self.result.violations) - len(self.result.new))

    def render(self, fmt):
        out = io.StringIO()
        formats.write(self.result, fmt, out)
        return out.getvalue()

    def test_text(self):
        lines = self.render("text").splitlines()
        pattern = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<code>PF\d{3}) .+$")
        body = lines[:-1]
        self.assertEqual(len(self.result.new), len(body))
        for line in body:
            self.assertRegex(line, pattern)
        first = os.path.join(self.tree, "mixed", "a.py") + ":3: PF001 Imports plugfair.registry.core"
        (line,) = [x for x in lines if x.startswith(first)]
        self.assertIn("Use instead: plugfair.api.Registry", line)
        self.assertRegex(lines[-1], r"^\d+ violation\(s\) in 4 file\(s\); 1 accepted by baseline ")

    def test_json_against_its_schema(self):
        with open(schema("report.schema.json"), encoding="utf-8") as f:
            validator = jsonschema.Draft202012Validator(json.load(f))
        data = json.loads(self.render("json"))
        validator.validate(data)
        self.assertEqual(1, data["summary"]["exit_code"])
        self.assertEqual(len(self.result.violations), len(data["violations"]))
        # The schema can fail: a report without its summary is rejected.
        del data["summary"]
        with testtools.ExpectedException(jsonschema.ValidationError):
            validator.validate(data)

    def test_junit_against_the_xsd(self):
        xsd = etree.XMLSchema(etree.parse(schema("junit.xsd")))
        doc = etree.fromstring(self.render("junit").encode("utf-8"))
        xsd.assertValid(doc)
        (suite,) = doc.findall("testsuite")
        cases = suite.findall("testcase")
        self.assertEqual(4 + 1, len(cases))  # four files, one dynamic check
        failed = [c.get("name") for c in cases if c.find("failure") is not None]
        self.assertEqual(["mixed/a.py", "mixed/b.py", "(none): entry point"], failed)
        self.assertEqual(str(len(failed)), suite.get("failures"))
        # The schema can fail too.
        etree.SubElement(suite, "bogus")
        self.assertFalse(xsd.validate(doc))

    def test_sarif_against_the_official_schema(self):
        validator = jsonschema.Draft4Validator(SARIF_SCHEMA)
        data = json.loads(self.render("sarif"))
        validator.validate(data)
        run = data["runs"][0]
        self.assertEqual(list(rules.RULES), [r["id"] for r in run["tool"]["driver"]["rules"]])
        states = sorted(r["baselineState"] for r in run["results"])
        self.assertEqual(["new"] * (len(states) - 1) + ["unchanged"], states)
        for result in run["results"]:
            self.assertEqual(result["ruleId"], run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"])
        data["runs"][0]["results"][0]["level"] = "catastrophic"
        with testtools.ExpectedException(jsonschema.ValidationError):
            validator.validate(data)

    def test_output_file(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, "report.sarif")
        rc, out, err = self.run_cli(["check", self.tree, "--static-only", "--format", "sarif", "-o", path])
        self.assertEqual(1, rc)
        self.assertIn("sarif report written to %s" % path, out)
        with open(path, encoding="utf-8") as f:
            self.assertEqual("2.1.0", json.load(f)["version"])

    def test_unwritable_output_is_a_usage_error(self):
        rc, out, err = self.run_cli(["check", self.tree, "--static-only", "-o", "/nonexistent/dir/report.txt"])
        self.assertEqual(2, rc)
        self.assertIn("Cannot write the report", err)
