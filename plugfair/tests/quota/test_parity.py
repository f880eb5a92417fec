"""Every installed plugin's quotas, in-tree or not, come out the same way."""

from __future__ import annotations

import json

from plugfair.tests.quota import base


class TestEveryInstalledPlugin(base.QuotaTestCase):
    """Uses every plugin installed in this environment plus test plugin beta."""

    plugins = ("beta",)
    select_plugins = False
    shared_plugins = False

    def test_ordering_is_by_plugin_name_only(self):
        service = self.service()
        rows = service.resources()
        keys = [(r.plugin, r.resource) for r in rows]
        self.assertEqual(sorted(keys), keys)
        declared = {p for p, _ in service.declared()}
        self.assertIn("beta", declared)
        registry = self.registry()
        expected = sorted(
            rec.name for rec in registry.records() if rec.quota and rec.name in registry.names()
        )
        self.assertEqual(expected, sorted({r.plugin for r in rows}))

    def test_in_tree_and_out_of_tree_look_alike_in_cli_and_api(self):
        registry = self.registry()
        by_dist = {rec.name: rec.distribution for rec in registry.records() if rec.quota}
        in_tree = sorted(p for p, d in by_dist.items() if d == "plugfair")
        if not in_tree:
            self.skipTest("no in-tree plugin with quotas is installed")
        rc, out, err = self.cli("quota", "show", "--project", "p1", "-f", "json")
        self.assertEqual(0, rc, err)
        rows = json.loads(out)
        shapes: dict[str, set[tuple[tuple[str, str], ...]]] = {}
        for row in rows:
            shapes.setdefault(row["Plugin"], set()).add(
                tuple((k, type(v).__name__) for k, v in row.items() if k not in ("In Use", "Remaining"))
            )
        self.assertTrue({"beta"} | set(in_tree) <= set(shapes))
        reference = shapes["beta"]
        for plugin in in_tree:
            self.assertEqual(reference, shapes[plugin], plugin)
        api_rows = self.service().show("p1")
        fields = {tuple(sorted(r.to_dict())) for r in api_rows}
        self.assertEqual(1, len(fields))
