"""Headers on every response, static files, helpers of the security module."""

from __future__ import annotations

import re

import testtools

from plugfair.dashboard import security, serve
from plugfair.tests.dashboard import base, test_pages


class TestHeaders(base.DashboardTestCase):
    def responses(self):
        yield "page", self.client.get("/?project=p")
        yield "plugin page", self.client.get("/plugins/dash_intree")
        yield "login", self.client.get("/login")
        yield "api", self.client.get("/api/v1/quotas")
        yield "api error", self.client.get("/api/v1/quotas?plugin=nope")
        yield "api 401", self.client.patch("/api/v1/quotas?project=p", json={"limits": {"a.b": 1}})
        yield "html 404", self.client.get("/nowhere")
        yield "html 403", self.client.post("/plugins/dash_intree/limits", data={})
        yield "413", self.client.patch(
            "/api/v1/quotas?project=p", data="x" * 70000, content_type="application/json"
        )
        yield "static js", self.client.get("/static/dashboard.js")
        yield "static css", self.client.get("/static/dashboard.css")

    def test_every_response_is_locked_down(self):
        for what, resp in self.responses():
            headers = resp.headers
            csp = headers.get("Content-Security-Policy", "")
            self.assertIn("frame-ancestors 'none'", csp, what)
            self.assertIn("script-src 'self'", csp, what)
            self.assertIn("default-src 'none'", csp, what)
            self.assertNotIn("unsafe-inline", csp, what)
            self.assertNotIn("unsafe-eval", csp, what)
            self.assertEqual("nosniff", headers.get("X-Content-Type-Options"), what)
            self.assertEqual("DENY", headers.get("X-Frame-Options"), what)
            resp.close()

    def test_pages_and_api_are_not_cached(self):
        for what, resp in self.responses():
            if what.startswith("static"):
                continue
            self.assertEqual("no-store", resp.headers.get("Cache-Control"), what)

    def test_static_files_are_typed(self):
        js = self.client.get("/static/dashboard.js")
        self.assertEqual(200, js.status_code)
        self.assertIn(js.mimetype, ("text/javascript", "application/javascript"))
        self.assertEqual("text/css", self.client.get("/static/dashboard.css").mimetype)

    def test_no_inline_script_style_or_handlers_in_pages(self):
        self.login()
        for url in ("/?project=p", "/plugins/dash_hostile?project=p", "/login", "/nowhere"):
            page = self.client.get(url).get_data(as_text=True)
            tree = test_pages.parse(page)
            elements = test_pages.find_all(tree, lambda n: True)
            for node in elements:
                names = set(node[1])
                self.assertEqual(set(), {n for n in names if n.startswith("on")}, "%s %s" % (url, node[0]))
                self.assertNotIn("style", names, url)
                self.assertNotEqual("style", node[0], url)
                self.assertNotIn("injected", node[1].get("class", ""), url)
            self.assertNotIn("javascript:", page, url)
            for tag in re.findall(r"<script\b[^>]*>", page):
                self.assertTrue('src="/static/' in tag or 'type="application/json"' in tag, tag)

    def test_static_js_has_no_eval(self):
        js = self.client.get("/static/dashboard.js").get_data(as_text=True)
        for bad in ("eval(", "new Function", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
            self.assertNotIn(bad, js)


class TestHelpers(testtools.TestCase):
    def test_same_token(self):
        self.assertTrue(security.same_token("abc", "abc"))
        self.assertFalse(security.same_token("abd", "abc"))
        self.assertFalse(security.same_token("", ""))
        self.assertFalse(security.same_token("abc", None))
        self.assertFalse(security.same_token(b"abc", "abc"))
        self.assertFalse(security.same_token("tøken", "token"))
        self.assertTrue(security.same_token("tøken\udcff", "tøken\udcff"))

    def test_session_secret(self):
        a = security.session_secret("token-a")
        self.assertEqual(a, security.session_secret("token-a"))
        self.assertNotEqual(a, security.session_secret("token-b"))
        self.assertNotEqual(security.session_secret(None), security.session_secret(None))
        self.assertEqual(32, len(a))

    def test_safe_next(self):
        ok = ["/", "/plugins/x?project=p", "/a/b"]
        bad: list[object] = ["", "//evil", "http://evil", "javascript:x", "/\\evil", "/a\nb", None, 3, "/" + "a" * 3000]
        for good in ok:
            self.assertEqual(good, security.safe_next(good, "/d"))
        for target in bad:
            self.assertEqual("/d", security.safe_next(target, "/d"), repr(target))

    def test_is_loopback(self):
        for host in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "a.localhost"):
            self.assertTrue(serve.is_loopback(host), host)
        for host in ("0.0.0.0", "::", "10.0.0.1", "192.0.2.1", "example.org", "", "localhost.evil.org"):
            self.assertFalse(serve.is_loopback(host), host)

    def test_exposure_warnings(self):
        self.assertEqual([], serve.exposure_warnings("127.0.0.1", None))
        self.assertEqual([], serve.exposure_warnings("::1", None))
        self.assertEqual([], serve.exposure_warnings("0.0.0.0", "a-long-enough-token-123"))
        [warning] = serve.exposure_warnings("0.0.0.0", None)
        self.assertIn("0.0.0.0", warning)
        self.assertIn("admin_token", warning)
        [short] = serve.exposure_warnings("127.0.0.1", "short")
        self.assertIn("shorter than 16", short)
