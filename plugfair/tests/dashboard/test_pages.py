"""The HTML pages: panels, ordering, parity, escaping, read-only mode."""

from __future__ import annotations

import html.parser
import json
import re
from typing import Any

import testtools

from plugfair.tests.dashboard import base
from plugfair.tests.dashboard import fixtures as df


class _Tree(html.parser.HTMLParser):
    """A light DOM: (tag, attrs, children) and text, enough to compare."""

    VOID = {"meta", "link", "input", "br", "img", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: Any = ["#root", {}, []]
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = [tag, dict(attrs), []]
        self.stack[-1][2].append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if data.strip():
            self.stack[-1][2].append(data.strip())


def parse(text: str) -> Any:
    tree = _Tree()
    tree.feed(text)
    return tree.root


def find_all(node, pred) -> list[Any]:
    out = []
    if isinstance(node, list):
        if pred(node):
            out.append(node)
        for child in node[2]:
            out.extend(find_all(child, pred))
    return out


def has_class(name):
    return lambda n: name in n[1].get("class", "").split()


def text_of(node) -> str:
    if isinstance(node, str):
        return node
    return " ".join(text_of(c) for c in node[2])


def skeleton(node, names=()):
    """Tags, classes and attribute names, with plugin names blanked out."""
    if isinstance(node, str):
        for name in names:
            node = node.replace(name, "PLUGIN")
        return node
    attrs = {}
    for key, value in sorted(node[1].items()):
        value = value or ""
        for name in names:
            value = value.replace(name, "PLUGIN")
        attrs[key] = value
    return (node[0], tuple(sorted(attrs.items())), tuple(skeleton(c, names) for c in node[2]))


class TestOverview(base.DashboardTestCase):
    def overview(self, project=base.PROJECT):
        resp = self.client.get("/?project=%s" % project if project else "/")
        self.assertEqual(200, resp.status_code, resp.get_data(as_text=True))
        return resp.get_data(as_text=True)

    def test_one_panel_per_plugin_in_name_order(self):
        panels = find_all(parse(self.overview()), has_class("panel"))
        names = [p[1]["data-plugin"] for p in panels]
        # installed in another order; the broken one has no panel
        self.assertEqual(["dash_hostile", "dash_intree", "dash_outoftree", "dash_unknown"], names)

    def test_one_bar_per_resource(self):
        panels = find_all(parse(self.overview()), has_class("panel"))
        intree = [p for p in panels if p[1]["data-plugin"] == "dash_intree"][0]
        bars = find_all(intree, has_class("bar"))
        self.assertEqual(
            ["dash_intree.cores", "dash_intree.instances", "dash_intree.ram", "dash_intree.volumes"],
            [b[1]["data-key"] for b in bars],
        )
        states = {b[1]["data-key"]: b[1]["class"] for b in bars}
        self.assertEqual("bar bar-high", states["dash_intree.cores"])  # 19 of 20
        self.assertEqual("bar bar-ok", states["dash_intree.instances"])  # 4 of 10
        self.assertEqual("bar bar-unlimited", states["dash_intree.ram"])
        self.assertEqual("bar bar-unknown", states["dash_intree.volumes"])
        meters = find_all(intree, lambda n: n[0] == "meter")
        self.assertEqual(4, len(meters))
        cores = meters[0][1]
        self.assertEqual(("20", "19"), (cores["max"], cores["value"]))
        self.assertIn("19 / 20 count", text_of(intree))
        self.assertIn("2048 MiB used (unlimited)", text_of(intree))
        self.assertIn("unknown / 5 count", text_of(intree))

    def test_in_tree_and_out_of_tree_panels_are_identical(self):
        # (<wbr> splits the names into pieces the comparison cannot blank out)
        panels = find_all(parse(self.overview().replace("<wbr>", "")), has_class("panel"))
        by_name = {p[1]["data-plugin"]: p for p in panels}
        a = skeleton(by_name["dash_intree"], ["dash_intree"])
        b = skeleton(by_name["dash_outoftree"], ["dash_outoftree"])
        self.assertEqual(a, b)

    def test_every_panel_has_the_same_outline(self):
        # Whatever the plugin, a panel is a section.panel with a header
        # and a list of bars, each with a label, a meter and a description.
        for panel in find_all(parse(self.overview()), has_class("panel")):
            self.assertEqual("section", panel[0])
            self.assertEqual(["header", "p", "ul"], [c[0] for c in panel[2]])
            self.assertIn("usage-reason", panel[2][1][1]["class"])
            for bar in panel[2][2][2]:
                self.assertEqual(["div", "meter", "p"], [c[0] for c in bar[2]])

    def test_without_project_shows_defaults(self):
        page = self.overview(project=None)
        self.assertIn("No project selected", page)
        bars = find_all(parse(page), has_class("bar"))
        self.assertTrue(bars)
        self.assertTrue(all(b[1]["class"] == "bar bar-default" for b in bars))
        self.assertIn("default: 20 count", page)
        self.assertIn("default: unlimited", page)

    def test_usage_unknown_is_shown_for_that_plugin_only(self):
        panels = {p[1]["data-plugin"]: p for p in find_all(parse(self.overview()), has_class("panel"))}
        status = find_all(panels["dash_unknown"], has_class("usage-status"))[0]
        self.assertIn("usage-unknown", status[1]["class"])
        self.assertIn("usage backend <down>", status[1]["title"])
        status = find_all(panels["dash_hostile"], has_class("usage-status"))[0]
        self.assertIn("usage-ok", status[1]["class"])
        self.assertNotIn("title", status[1])
        for name in ("dash_intree", "dash_outoftree"):
            # they count every resource but volumes: that is all they say
            status = find_all(panels[name], has_class("usage-status"))[0]
            self.assertIn("usage-unknown", status[1]["class"])
            self.assertEqual("volumes: not counted by its usage callback.", status[1]["title"])

    def test_usage_unknown_says_why_in_the_panel(self):
        """The reason is on the panel (hover and visible text) and on the bar."""
        page = self.overview()
        panels = {p[1]["data-plugin"]: p for p in find_all(parse(page), has_class("panel"))}
        reason = find_all(panels["dash_unknown"], has_class("usage-reason"))[0]
        self.assertNotIn("hidden", reason[1])
        self.assertIn("its usage callback raised RuntimeError: usage backend <down>", text_of(reason))
        bar = find_all(panels["dash_unknown"], has_class("bar"))[0]
        self.assertIn("usage backend <down>", bar[1]["title"])
        self.assertTrue(bar[1]["title"].startswith("Usage unknown: "))
        # escaped in the page source, in the text and in the attributes
        self.assertNotIn("<down>", page)
        self.assertIn("usage backend &lt;down&gt;", page)
        volumes = [b for b in find_all(panels["dash_intree"], has_class("bar"))
                   if b[1]["data-key"] == "dash_intree.volumes"][0]
        self.assertEqual("Usage unknown: not counted by its usage callback.", volumes[1]["title"])
        cores = [b for b in find_all(panels["dash_intree"], has_class("bar"))
                 if b[1]["data-key"] == "dash_intree.cores"][0]
        self.assertNotIn("title", cores[1])
        hostile = find_all(panels["dash_hostile"], has_class("usage-reason"))[0]
        self.assertIn("hidden", hostile[1])
        self.assertEqual("", text_of(hostile))

    def test_no_reason_without_a_project(self):
        page = parse(self.overview(project=None))
        for reason in find_all(page, has_class("usage-reason")):
            self.assertIn("hidden", reason[1])
        for bar in find_all(page, has_class("bar")):
            self.assertNotIn("title", bar[1])

    def test_broken_plugin_is_reported_and_others_served(self):
        page = self.overview()
        problems = find_all(parse(page), has_class("problem"))
        self.assertEqual(["dash_broken"], [p[1]["data-plugin"] for p in problems])
        self.assertIn("&lt;on purpose&gt;", page)

    def test_project_selector(self):
        page = parse(self.overview())
        form = find_all(page, has_class("project-selector"))[0]
        self.assertEqual("get", form[1]["method"])
        field = find_all(form, lambda n: n[0] == "input")[0]
        self.assertEqual(("project", base.PROJECT), (field[1]["name"], field[1]["value"]))

    def test_invalid_project_is_a_400(self):
        resp = self.client.get("/?project=bad%01id")
        self.assertEqual(400, resp.status_code)
        self.assertIn("control characters", resp.get_data(as_text=True))
        resp = self.client.get("/?project=" + "x" * 65)
        self.assertEqual(400, resp.status_code)
        resp = self.client.get("/?project=has%20space")
        self.assertEqual(400, resp.status_code)


class TestEscaping(base.DashboardTestCase):
    def test_plugin_text_is_escaped_in_html(self):
        for url in ("/?project=p", "/plugins/dash_hostile?project=p", "/"):
            page = self.client.get(url).get_data(as_text=True)
            self.assertNotIn("<script>window.__pwned", page)
            self.assertNotIn("<img src=x", page)
            self.assertNotIn('<b class="injected">', page)
            self.assertNotIn('<i class="injected">', page)
            self.assertIn("&lt;img src=x onerror=", page)
            self.assertIn("&lt;i class=&#34;injected&#34;&gt;", page)
            # the template never evaluates plugin text
            self.assertIn("{{ 7*7 }}", page)
            # the only scripts are the static file and the JSON data block
            scripts = re.findall(r"<script\b[^>]*>", page)
            self.assertEqual(
                ['<script src="/static/dashboard.js" defer>', '<script type="application/json" id="quota-data">'],
                scripts,
            )
            self.assertEqual(2, page.count("</script>"))

    def test_embedded_json_is_escaped_and_round_trips(self):
        page = self.client.get("/?project=p").get_data(as_text=True)
        match = re.search(r'<script type="application/json" id="quota-data">(.*?)</script>', page, re.S)
        assert match is not None
        raw = match.group(1)
        for bad in ("<", ">", "&", "'", "\u2028"):
            self.assertNotIn(bad, raw)
        data = json.loads(raw)
        hostile = [p for p in data["plugins"] if p["name"] == "dash_hostile"][0]
        self.assertEqual(df.HOSTILE_DESCRIPTION, hostile["resources"][0]["description"])
        self.assertEqual(df.HOSTILE_UNIT, hostile["resources"][0]["unit"])

    def test_api_json_keeps_text_verbatim(self):
        data = self.client.get("/api/v1/quotas?project=p").get_json()
        hostile = [p for p in data["plugins"] if p["name"] == "dash_hostile"][0]
        self.assertEqual(df.HOSTILE_DESCRIPTION, hostile["resources"][0]["description"])

    def test_error_messages_are_escaped(self):
        resp = self.client.get("/plugins/%3Cscript%3Ex")
        self.assertEqual(404, resp.status_code)
        page = resp.get_data(as_text=True)
        self.assertNotIn("<script>x", page)
        self.assertIn("&lt;script&gt;x", page)


class TestPluginPage(base.DashboardTestCase):
    def test_page_per_plugin_uses_the_panel_template(self):
        page = self.client.get("/plugins/dash_intree?project=%s" % base.PROJECT)
        self.assertEqual(200, page.status_code)
        tree = parse(page.get_data(as_text=True))
        panels = find_all(tree, has_class("panel"))
        self.assertEqual(["dash_intree"], [p[1]["data-plugin"] for p in panels])
        overview = parse(self.client.get("/?project=%s" % base.PROJECT).get_data(as_text=True))
        same = [p for p in find_all(overview, has_class("panel")) if p[1]["data-plugin"] == "dash_intree"][0]
        self.assertEqual(skeleton(same), skeleton(panels[0]))
        rows = find_all(tree, has_class("resource-row"))
        self.assertEqual(4, len(rows))

    def test_unknown_plugin_is_404(self):
        for name in ("nope", "dash_broken", "plugfair"):
            resp = self.client.get("/plugins/%s" % name)
            self.assertEqual(404, resp.status_code, name)

    def test_anonymous_sees_no_edit_inputs(self):
        page = self.client.get("/plugins/dash_intree?project=p").get_data(as_text=True)
        self.assertNotIn('class="limit-input"', page)
        self.assertIn("Log in with the admin token", page)

    def test_admin_sees_edit_inputs(self):
        self.login()
        page = self.client.get("/plugins/dash_intree?project=p").get_data(as_text=True)
        self.assertEqual(4, page.count('class="limit-input"'))
        self.assertIn('name="limit:dash_intree.cores"', page)
        # no project selected: nothing to edit yet
        page = self.client.get("/plugins/dash_intree").get_data(as_text=True)
        self.assertNotIn('class="limit-input"', page)


class TestKnownProjects(base.DashboardTestCase):
    extra_conf = "projects = b-proj, a-proj\n"

    def test_configured_projects_are_offered(self):
        page = self.client.get("/").get_data(as_text=True)
        options = find_all(parse(page), lambda n: n[0] == "option")
        self.assertEqual(["a-proj", "b-proj"], [o[1]["value"] for o in options])


class TestReadOnly(base.DashboardTestCase):
    token = None

    def test_read_only_badge_and_no_login(self):
        page = self.client.get("/?project=p").get_data(as_text=True)
        self.assertIn("read-only", page)
        self.assertNotIn("Log in to edit", page)
        self.assertNotIn("csrf-token", page)
        page = self.client.get("/plugins/dash_intree?project=p").get_data(as_text=True)
        self.assertIn("Read-only", page)
        self.assertNotIn('class="limit-input"', page)

    def test_login_is_refused(self):
        resp = self.client.post("/login", data={"token": "", "csrf_token": ""})
        self.assertEqual(403, resp.status_code)
        resp = self.client.post("/login", data={"token": "anything"})
        self.assertEqual(403, resp.status_code)


class TestAllInstalledPlugins(base.DashboardTestCase):
    """Discovery is not restricted: whatever else is installed shows too."""

    only_these = False
    plugins = ("dash_outoftree", "dash_intree")

    def test_every_plugin_with_quota_has_a_panel(self):
        expected = sorted({row.plugin for row in self.service.resources()})
        self.assertIn("dash_intree", expected)
        page = self.client.get("/").get_data(as_text=True)
        names = [p[1]["data-plugin"] for p in find_all(parse(page), has_class("panel"))]
        self.assertEqual(expected, names)


class TestLongNames(base.DashboardTestCase):
    """Long names wrap between their words (issue 11, item 9)."""

    plugins = ("dash_long_names",)

    def test_break_opportunities_after_underscores(self):
        page = self.client.get("/?project=p").get_data(as_text=True)
        names = re.findall(r'<span class="bar-name">(.*?)</span>', page)
        self.assertEqual(
            ["per_<wbr>volume_<wbr>gigabytes", "server_<wbr>group_<wbr>members",
             "supercalifragilisticexpialidocious"],
            names,
        )
        self.assertIn('<a href="/plugins/dash_long_names?project=p">dash_<wbr>long_<wbr>names</a>', page)
        # the text itself is unchanged: <wbr> is not text
        bars = find_all(parse(page), has_class("bar-name"))
        self.assertEqual(["per_volume_gigabytes", "server_group_members"],
                         ["".join(text_of(b).split()) for b in bars][:2])

    def test_plugin_page_keys(self):
        page = self.client.get("/plugins/dash_long_names").get_data(as_text=True)
        self.assertIn("dash_<wbr>long_<wbr>names.<wbr>server_<wbr>group_<wbr>members", page)

    def test_css_breaks_names_at_words_only(self):
        css = self.client.get("/static/dashboard.css").get_data(as_text=True)
        for selector in (".bar-name", ".panel-title"):
            rule = re.search(re.escape(selector) + r" \{([^}]*)\}", css)
            assert rule is not None, selector
            self.assertIn("overflow-wrap: break-word", rule.group(1), selector)
            self.assertNotIn("anywhere", rule.group(1), selector)
            self.assertNotIn("break-all", rule.group(1), selector)


class TestBreakable(testtools.TestCase):
    """The ``breakable`` filter escapes every piece (bad input)."""

    def test_plain_names(self):
        from plugfair.dashboard.app import breakable

        self.assertEqual("cores", str(breakable("cores")))
        self.assertEqual("a_<wbr>b.<wbr>c", str(breakable("a_b.c")))
        self.assertEqual("trailing_<wbr>", str(breakable("trailing_")))
        self.assertEqual("", str(breakable("")))

    def test_hostile_text_is_escaped(self):
        from markupsafe import Markup

        from plugfair.dashboard.app import breakable

        out = breakable('<script>x_y("1")</script>_<wbr>&amp;')
        self.assertIsInstance(out, Markup)
        self.assertEqual(
            "&lt;script&gt;x_<wbr>y(&#34;1&#34;)&lt;/script&gt;_<wbr>&lt;wbr&gt;&amp;amp;", str(out)
        )
        self.assertEqual("&lt;b&gt;", str(breakable(Markup("<b>"))))  # markup is escaped too
        self.assertEqual("42", str(breakable(42)))


class TestHostilePlugins(base.DashboardTestCase):
    """Plugins that hang, answer garbage or exit: the rest is served."""

    plugins = ("dash_exit", "dash_garbage", "dash_hang", "dash_intree")
    extra_conf = "[quota]\nusage_timeout = 0.5\n"

    def setUp(self):
        super().setUp()
        self.addCleanup(self._release)

    def _release(self):
        import sys

        module = sys.modules.get("dash_hang_pkg.plugin")
        if module is not None:
            module.RELEASE.set()

    def test_overview_and_api_survive(self):
        resp = self.client.get("/?project=p")
        self.assertEqual(200, resp.status_code)
        page = parse(resp.get_data(as_text=True))
        panels = {p[1]["data-plugin"]: p for p in find_all(page, has_class("panel"))}
        self.assertEqual(["dash_garbage", "dash_hang", "dash_intree"], sorted(panels))
        for name in ("dash_garbage", "dash_hang"):
            status = find_all(panels[name], has_class("usage-status"))[0]
            self.assertIn("usage-unknown", status[1]["class"], name)
        status = find_all(panels["dash_intree"], has_class("usage-status"))[0]
        self.assertEqual("volumes: not counted by its usage callback.", status[1]["title"])
        self.assertIn("19 / 20 count", text_of(panels["dash_intree"]))
        problems = [p[1]["data-plugin"] for p in find_all(page, has_class("problem"))]
        self.assertEqual(["dash_exit"], problems)
        # writes to a healthy plugin still work
        resp = self.client.patch(
            "/api/v1/quotas?project=p", json={"limits": {"dash_intree.cores": 3}}, headers=self.bearer()
        )
        self.assertEqual(200, resp.status_code)
        self.assertEqual((3, True), self.limits("p")["dash_intree.cores"])
        data = self.client.get("/api/v1/quotas?project=p&plugin=dash_garbage").get_json()
        self.assertEqual("unknown", data["plugins"][0]["usage"])
        self.assertIsNone(data["plugins"][0]["resources"][0]["in_use"])
