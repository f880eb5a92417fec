"""Parity on the quota host: quota list/show/set/delete."""

from __future__ import annotations

from plugfair.tests.parity import base

PROJECT = "parity-project"


class QuotaParityTest(base.ParityTestCase):
    def declared(self) -> dict[str, list[dict[str, object]]]:
        rows = self.cli_json("quota", "list")
        keys = [(r["Plugin"], r["Resource"]) for r in rows]
        self.assertEqual(sorted(keys), keys, "ordered by plugin, then resource")
        out: dict[str, list[dict[str, object]]] = {}
        for row in rows:
            out.setdefault(str(row["Plugin"]), []).append(row)
        return out

    def quota_plugins(self) -> list[str]:
        declared = self.declared()
        return [n for n in self.inside if n in declared]

    def test_quota_list_has_the_same_columns(self) -> None:
        declared = self.declared()
        self.assertIn(self.outside, declared)
        columns = sorted(declared[self.outside][0])
        for name in self.quota_plugins():
            self.assertEqual(columns, sorted(declared[name][0]), name)

    def test_set_show_delete_alike(self) -> None:
        declared = self.declared()
        inside = self.quota_plugins()
        self.assertTrue(inside, "no in-tree plugin declares quota resources")
        chosen = {name: str(declared[name][0]["Resource"]) for name in [self.outside] + inside}
        pairs = ["%s.%s=7" % (plugin, res) for plugin, res in chosen.items()]
        self.cli("quota", "set", "--project", PROJECT, *pairs)

        shown = self.cli_json("quota", "show", "--project", PROJECT)
        by_key = {"%s.%s" % (r["Plugin"], r["Resource"]): r for r in shown}
        columns = sorted(next(iter(by_key.values())))
        for plugin, res in chosen.items():
            row = by_key["%s.%s" % (plugin, res)]
            self.assertEqual(columns, sorted(row))
            self.assertEqual(7, row["Limit"])
            self.assertIs(True, row["Overridden"])

        per_plugin = {name: self.cli_json("quota", "show", "--project", PROJECT,
                                          "--plugin", name) for name in chosen}
        for name, rows in per_plugin.items():
            self.assertEqual({name}, {r["Plugin"] for r in rows})
            self.assertEqual(columns, sorted(rows[0]))

        self.cli("quota", "delete", "--project", PROJECT)
        for row in self.cli_json("quota", "show", "--project", PROJECT):
            self.assertIs(False, row["Overridden"])

    def test_bad_values_are_refused_alike(self) -> None:
        declared = self.declared()
        for name in [self.outside] + self.quota_plugins():
            key = "%s.%s" % (name, declared[name][0]["Resource"])
            self.cli("quota", "set", "--project", PROJECT, key + "=-5", expect=None)
            for row in self.cli_json("quota", "show", "--project", PROJECT, "--plugin", name):
                self.assertIs(False, row["Overridden"], key)
