"""The dashboard in a real headless Chromium (playwright).

Skipped unless ``PLUGFAIR_TEST_CHROMIUM=1`` (``.ci/chromium.sh`` prints it
once Debian's ``chromium`` and playwright work).  The app is served by
waitress on 127.0.0.1 in a thread, over a real SQLite store.  A
screenshot of the overview is kept in ``$PLUGFAIR_ARTIFACTS_DIR`` (or
``.artifacts/``); with ``PLUGFAIR_UPDATE_DOC_SCREENSHOT=1`` the demo
screenshot of the docs is rewritten too.
"""

from __future__ import annotations

import os
import unittest

import fixtures

import plugfair
from plugfair.dashboard import serve
from plugfair.tests.dashboard import base
from plugfair.tests.dashboard import fixtures as df

ENABLED = os.environ.get("PLUGFAIR_TEST_CHROMIUM") == "1"
CHROMIUM = os.environ.get("PLUGFAIR_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(plugfair.__file__)))
P = base.PROJECT

# What a panel looks like, computed in the page: per element its tag,
# classes, attribute names, box size and the styles that make its look.
_LOOK = """
(panel) => {
  const props = ["display", "color", "background-color", "font-family", "font-size",
                 "font-weight", "line-height", "border-top-width", "border-top-color",
                 "border-radius", "padding-top", "padding-left", "margin-top", "margin-bottom"];
  // widths in per cent of the panel's: two panels in different columns of
  // the grid may differ by a sub-pixel, which rounding turns into a pixel
  const whole = panel.getBoundingClientRect().width;
  const walk = (el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
      tag: el.tagName,
      classes: Array.from(el.classList).sort(),
      attrs: el.getAttributeNames().sort(),
      width: Math.round((box.width / whole) * 100),
      height: Math.round(box.height),
      style: props.map((p) => style.getPropertyValue(p)),
      children: Array.from(el.children).filter((c) => !c.matches(".panel-title a")).map(walk),
    };
  };
  return walk(panel);
}
"""


def artifacts_dir() -> str:
    path = os.environ.get("PLUGFAIR_ARTIFACTS_DIR") or os.path.join(REPO, ".artifacts")
    os.makedirs(path, exist_ok=True)
    return path


@unittest.skipUnless(
    ENABLED,
    "browser tests need headless Chromium: run .ci/chromium.sh and set PLUGFAIR_TEST_CHROMIUM=1",
)
class BrowserTestCase(base.DashboardTestCase):
    """A waitress server in a thread and a fresh Chromium page."""

    def setUp(self) -> None:
        super().setUp()
        from playwright.sync_api import sync_playwright

        self.server = serve.BackgroundServer(self.app).start()
        self.addCleanup(self.server.stop)
        self.playwright = sync_playwright().start()
        self.addCleanup(self.playwright.stop)
        self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        self.addCleanup(self.browser.close)
        self.context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        self.addCleanup(self.context.close)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda exc: self.problems.append("page error: %s" % exc))
        self.page.on(
            "console",
            lambda msg: self.problems.append("console %s: %s" % (msg.type, msg.text))
            if msg.type in ("error", "warning")
            else None,
        )

        def on_dialog(dialog):
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        self.page.on("dialog", on_dialog)

    def open(self, path: str) -> None:
        self.page.goto(self.server.url + path)
        self.page.wait_for_selector("html[data-dashboard-ready='1']", state="attached")

    def text(self, selector: str) -> str:
        return self.page.text_content(selector) or ""

    def panel_names(self) -> list[str]:
        return self.page.eval_on_selector_all(  # type: ignore[no-any-return]
            "section.panel", "els => els.map(e => e.getAttribute('data-plugin'))"
        )

    def assertNoProblems(self, expected: tuple[str, ...] = ()) -> None:
        left = [p for p in self.problems if not any(e in p for e in expected)]
        self.assertEqual([], left)
        self.assertEqual([], self.dialogs)
        self.assertIsNone(self.page.evaluate("window.__pwned"))

    def login_in_browser(self, token: str = df.TOKEN) -> None:
        self.open("/login")
        self.page.fill("#token", token)
        with self.page.expect_navigation():
            self.page.click("form.login button[type=submit]")


class TestOverview(BrowserTestCase):
    def test_every_installed_plugin_has_a_panel(self):
        self.open("/?project=%s" % P)
        expected = sorted({row.plugin for row in self.service.resources()})
        self.assertEqual(["dash_hostile", "dash_intree", "dash_outoftree", "dash_unknown"], expected)
        self.assertEqual(expected, self.panel_names())
        bars = self.page.eval_on_selector_all(
            "section.panel[data-plugin='dash_intree'] li.bar", "els => els.map(e => e.className)"
        )
        self.assertEqual(["bar bar-high", "bar bar-ok", "bar bar-unlimited", "bar bar-unknown"], bars)
        self.assertEqual(
            "usage unknown",
            self.text("section.panel[data-plugin='dash_unknown'] .usage-status"),
        )
        # why, as visible text in the panel (plugin text shown as text)
        reason = "section.panel[data-plugin='dash_unknown'] .usage-reason"
        self.assertTrue(self.page.is_visible(reason))
        self.assertIn("usage backend <down>", self.text(reason))
        self.assertFalse(self.page.is_visible("section.panel[data-plugin='dash_hostile'] .usage-reason"))
        self.assertIn("dash_broken", self.text("section.problems"))
        shot = os.path.join(artifacts_dir(), "dashboard-overview.png")
        self.page.screenshot(path=shot, full_page=True)
        self.assertGreater(os.path.getsize(shot), 10_000)
        self.assertNoProblems()

    def test_refresh_reads_the_json_api(self):
        self.open("/?project=%s" % P)
        label = "section.panel[data-plugin='dash_intree'] li.bar[data-key='dash_intree.cores'] .bar-value"
        self.assertEqual("19 / 20 count", self.text(label))
        self.service.set(P, {"dash_intree.cores": 100})
        with self.page.expect_response(lambda r: "/api/v1/quotas" in r.url) as info:
            self.page.click("button.refresh")
        self.assertEqual(200, info.value.status)
        self.page.wait_for_function(
            "sel => document.querySelector(sel).textContent === '19 / 100 count'", arg=label
        )
        self.assertEqual(
            "bar bar-ok",
            self.page.get_attribute("li.bar[data-key='dash_intree.cores']", "class"),
        )
        self.assertNoProblems()

    def test_out_of_tree_panel_looks_exactly_like_in_tree(self):
        self.open("/?project=%s" % P)
        intree = self.page.eval_on_selector("section.panel[data-plugin='dash_intree']", _LOOK)
        outoftree = self.page.eval_on_selector("section.panel[data-plugin='dash_outoftree']", _LOOK)
        self.assertEqual(intree, outoftree)
        # the same holds for the page of each plugin
        self.open("/plugins/dash_intree?project=%s" % P)
        own_intree = self.page.eval_on_selector("section.panel", _LOOK)
        self.open("/plugins/dash_outoftree?project=%s" % P)
        own_outoftree = self.page.eval_on_selector("section.panel", _LOOK)
        self.assertEqual(own_intree, own_outoftree)
        self.assertNoProblems()


class TestEditing(BrowserTestCase):
    def test_editing_works_with_the_token(self):
        self.login_in_browser()
        self.open("/plugins/dash_intree?project=%s" % P)
        self.assertEqual("admin", self.text(".mode"))
        self.page.fill("input[data-key='dash_intree.cores']", "33")
        self.page.fill("input[data-key='dash_intree.ram']", "4096")
        with self.page.expect_response(lambda r: "/api/v1/quotas" in r.url and r.request.method == "PATCH") as info:
            self.page.click("button.save")
        self.assertEqual(200, info.value.status)
        self.page.wait_for_function(
            "() => document.querySelector('.form-status').textContent === 'Saved 2 limit(s).'"
        )
        limits = self.limits(fresh=True)
        self.assertEqual((33, True), limits["dash_intree.cores"])
        self.assertEqual((4096, True), limits["dash_intree.ram"])
        self.assertEqual((10, False), limits["dash_intree.instances"])
        # the panel was updated in place from the API's answer
        self.assertEqual(
            "19 / 33 count", self.text("li.bar[data-key='dash_intree.cores'] .bar-value")
        )
        # a bad value: the browser's own validation (min=-1) is bypassed,
        # the server refuses it with a message and writes nothing
        self.page.eval_on_selector("input[data-key='dash_intree.cores']", "el => el.removeAttribute('min')")
        self.page.fill("input[data-key='dash_intree.cores']", "-5")
        self.page.fill("input[data-key='dash_intree.instances']", "12")
        self.page.click("button.save")
        self.page.wait_for_selector(".api-error:not([hidden])")
        self.assertIn("negative", self.text(".api-error"))
        limits = self.limits()
        self.assertEqual((33, True), limits["dash_intree.cores"])
        self.assertEqual((10, False), limits["dash_intree.instances"])
        # reset through the plain form
        with self.page.expect_navigation():
            self.page.click("form.reset-limits button")
        self.assertIn("back to the defaults", self.text(".flash"))
        self.assertEqual((20, False), self.limits()["dash_intree.cores"])
        self.assertNoProblems(expected=("400",))

    def test_editing_is_refused_without_the_token(self):
        self.open("/plugins/dash_intree?project=%s" % P)
        self.assertEqual(0, self.page.locator("input.limit-input").count())
        # a hand-made request from the page, with and without a CSRF guess
        for headers in ({}, {"X-CSRF-Token": "guess"}):
            status = self.page.evaluate(
                """async (headers) => {
                     const r = await fetch('/api/v1/quotas?project=%s', {
                       method: 'PATCH', credentials: 'same-origin',
                       headers: Object.assign({'Content-Type': 'application/json'}, headers),
                       body: JSON.stringify({limits: {'dash_intree.cores': 1}})});
                     return r.status; }"""
                % P,
                headers,
            )
            self.assertEqual(401, status)
        # the wrong token does not log in
        self.login_in_browser("not-the-token")
        self.assertIn("not the admin token", self.text(".flash-error"))
        self.open("/plugins/dash_intree?project=%s" % P)
        self.assertEqual(0, self.page.locator("input.limit-input").count())
        self.assertEqual((20, False), self.limits()["dash_intree.cores"])
        self.assertNoProblems(expected=("401",))


class TestReadOnlyBrowser(BrowserTestCase):
    token = None

    def test_no_editing_at_all(self):
        self.open("/plugins/dash_intree?project=%s" % P)
        self.assertEqual("read-only", self.text(".mode"))
        self.assertEqual(0, self.page.locator("input.limit-input").count())
        status = self.page.evaluate(
            """async () => (await fetch('/api/v1/quotas?project=%s', {method: 'PATCH',
                 headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer %s'},
                 body: JSON.stringify({limits: {'dash_intree.cores': 1}})})).status"""
            % (P, df.TOKEN)
        )
        self.assertEqual(403, status)
        self.assertEqual((20, False), self.limits()["dash_intree.cores"])
        self.assertNoProblems(expected=("403",))


class TestHostileText(BrowserTestCase):
    def test_plugin_html_and_script_show_as_text(self):
        for path in ("/?project=%s" % P, "/plugins/dash_hostile?project=%s" % P, "/"):
            self.open(path)
            shown = self.text("li.bar[data-key='dash_hostile.things'] .bar-description")
            self.assertEqual(df.HOSTILE_DESCRIPTION, shown)
            self.assertEqual(0, self.page.locator(".injected").count())
            self.assertEqual(0, self.page.locator("img").count())
            scripts = self.page.eval_on_selector_all(
                "script", "els => els.map(e => e.getAttribute('src') || e.type)"
            )
            self.assertEqual(["/static/dashboard.js", "application/json"], scripts)
        self.open("/plugins/dash_hostile?project=%s" % P)
        self.assertEqual(
            df.HOSTILE_UNIT, self.text("tr[data-key='dash_hostile.things'] .res-unit")
        )
        self.assertIn(df.HOSTILE_UNIT, self.text("li.bar[data-key='dash_hostile.things'] .bar-value"))
        self.assertNoProblems()


# -- the screenshot of the docs -------------------------------------------

_DEMO = '''
from plugfair.api import Plugin, QuotaResource

class Demo(Plugin):
    name = "%(name)s"

    def quota_resources(self):
        return [QuotaResource(*r) for r in %(resources)r]

    def quota_usage(self, project_id, names):
        usage = %(usage)r
        if usage is None:
            raise RuntimeError("the service did not answer")
        return {n: usage[n] for n in names if n in usage}
'''

DEMO = {
    "acme_dns": (
        [("records", 500, "count", "DNS records in all zones."), ("zones", 10, "count", "DNS zones.")],
        {"records": 212, "zones": 9},
    ),
    "block_storage": (
        [("backups", 20, "count", "Volume backups."), ("gigabytes", 1000, "GiB", "Size of all volumes."),
         ("volumes", 50, "count", "Volumes.")],
        {"backups": 3, "gigabytes": 640, "volumes": 50},
    ),
    "compute_demo": (
        [("cores", 64, "count", "Virtual CPU cores."), ("instances", 20, "count", "Servers."),
         ("ram", -1, "MiB", "Memory of all servers.")],
        {"cores": 20, "instances": 8, "ram": 40960},
    ),
    "object_store": (
        [("buckets", 100, "count", "Buckets."), ("bytes", -1, "GiB", "Stored data.")],
        None,
    ),
}


class TestDocScreenshot(BrowserTestCase):
    plugins: tuple[str, ...] = ()  # replaced by the demo plugins in setUp

    def setUp(self) -> None:
        path = self.useFixture(fixtures.TempDir()).path
        from plugfair.api import PluginDistribution

        for name, (resources, usage) in sorted(DEMO.items()):
            module = "%s_pkg.plugin" % name
            self.useFixture(
                PluginDistribution(
                    name.replace("_", "-"),
                    {name: "%s:Demo" % module},
                    {module: _DEMO % {"name": name, "resources": resources, "usage": usage}},
                    directory=path,
                )
            )
        self.plugins = tuple(sorted(DEMO))
        self.useFixture(fixtures.MonkeyPatch("plugfair.tests.dashboard.fixtures.SharedPlugins", _NoPlugins))
        super().setUp()

    def test_demo_screenshot(self):
        self.service.set("demo-project", {"block_storage.volumes": 50, "compute_demo.cores": 32})
        self.page.set_viewport_size({"width": 1100, "height": 700})
        self.open("/?project=demo-project")
        self.assertEqual(sorted(DEMO), self.panel_names())
        self.save_shot("dashboard-overview.png")
        self.login_in_browser()
        self.open("/plugins/compute_demo?project=demo-project")
        self.assertEqual(3, self.page.locator("input.limit-input").count())
        self.save_shot("dashboard-plugin.png")
        self.assertNoProblems()

    def save_shot(self, name: str) -> None:
        """Keep a screenshot as an artifact (and in the docs, on request)."""
        self.page.screenshot(path=os.path.join(artifacts_dir(), "demo-" + name), full_page=True)
        if os.environ.get("PLUGFAIR_UPDATE_DOC_SCREENSHOT") == "1":
            self.page.screenshot(path=os.path.join(REPO, "doc", "source", "user", name), full_page=True)


class _NoPlugins(fixtures.Fixture):
    """Stands in for SharedPlugins when a test installs its own plugins."""

    def __init__(self, *names):
        super().__init__()
        self.path = ""
