"""Parity on the dashboard: the same panel template, in name order."""

from __future__ import annotations

import html.parser
import re

from plugfair.tests.parity import base

# Classes that carry a value's state (ok, unknown, over...), not the template.
_STATE = re.compile(r"^(usage|bar)-(?!status$|label$|name$|value$|meter$|description$)[\w-]+$")


def _classes(value: str | None) -> str:
    return " ".join(sorted(
        re.sub(r"-[\w-]+$", "-STATE", c) if _STATE.match(c) else c
        for c in (value or "").split()
    ))


class _Skeleton(html.parser.HTMLParser):
    """Tags and classes of a page, and of each ``data-plugin`` panel."""

    def __init__(self) -> None:
        super().__init__()
        self.panels: dict[str, list[str]] = {}
        self.order: list[str] = []
        self.page: set[str] = set()
        self._current: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "wbr":
            return  # a line-break opportunity inside a name: text, not template
        attr = dict(attrs)
        shape = "<%s %s>" % (tag, _classes(attr.get("class")))
        self.page.add(shape)
        if self._current is None and attr.get("data-plugin"):
            self._current = str(attr["data-plugin"])
            self.order.append(self._current)
            self.panels[self._current] = []
            self._depth = 0
        if self._current is None:
            return
        if tag not in ("meta", "input", "br", "img", "link"):
            self._depth += 1
        self.panels[self._current].append(shape)

    def handle_endtag(self, tag: str) -> None:
        if self._current is None:
            return
        self._depth -= 1
        if self._depth == 0:
            self._current = None


class DashboardParityTest(base.ParityTestCase):
    def setUp(self) -> None:
        super().setUp()
        from plugfair.config.loader import build_conf
        from plugfair.dashboard.app import create_app
        from plugfair.quota.service import QuotaService
        from plugfair.registry.core import Registry

        conf = build_conf([self.conf_file])
        service = QuotaService(Registry.discover(conf), conf)
        service.upgrade()
        app = create_app(service, conf)
        app.testing = True
        self.client = app.test_client()

    def parse(self, url: str) -> _Skeleton:
        page = self.client.get(url)
        self.assertEqual(200, page.status_code, url)
        parser = _Skeleton()
        parser.feed(page.get_data(as_text=True))
        return parser

    @staticmethod
    def per_bar(tags: list[str]) -> tuple[str, ...]:
        # The number of bars follows the number of resources; the shape of
        # the panel and of each bar must not differ.
        return tuple(sorted(set(re.split(r"(?=<li )", "".join(tags)))))

    def test_overview_panels(self) -> None:
        for url in ("/", "/?project=parity-project"):
            parsed = self.parse(url)
            self.assertEqual(sorted(parsed.order), parsed.order, "panels in name order")
            self.assertIn(self.outside, parsed.order)
            expected = self.per_bar(parsed.panels[self.outside])
            self.assertIn("<section panel>", expected[-1])
            for name in parsed.order:
                self.assertEqual(expected, self.per_bar(parsed.panels[name]),
                                 "%s vs %s at %s" % (name, self.outside, url))

    def test_plugin_pages(self) -> None:
        for project in ("", "?project=parity-project"):
            outside = self.parse("/plugins/%s%s" % (self.outside, project))
            self.assertEqual([self.outside], outside.order)
            for name in self.inside:
                page = self.client.get("/plugins/%s%s" % (name, project))
                if page.status_code == 404:
                    continue  # a plugin without quota resources has no page
                parsed = self.parse("/plugins/%s%s" % (name, project))
                self.assertEqual(outside.page, parsed.page, name)
                self.assertEqual(self.per_bar(outside.panels[self.outside]),
                                 self.per_bar(parsed.panels[name]), name)
