"""Headers on every response, static files, helpers of the security module."""

from __future__ import annotations

import re
from typing import Any

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
        self.assertEqual([], serve.exposure_warnings("0.0.0.0", "a-long-enough-token-123",
                                                     ["dash.example.org"]))
        [note] = serve.exposure_warnings("0.0.0.0", "a-long-enough-token-123")
        self.assertIn("allowed_hosts", note)
        [_note, warning] = serve.exposure_warnings("0.0.0.0", None)
        self.assertIn("0.0.0.0", warning)
        self.assertIn("admin_token", warning)
        [short] = serve.exposure_warnings("127.0.0.1", "short")
        self.assertIn("shorter than 16", short)


class TestHostHeader(base.DashboardTestCase):
    """Only the dashboard's own names are answered (DNS rebinding)."""

    extra_conf = "allowed_hosts = dash.example.org, .corp.example\n"

    def test_own_names_are_answered(self):
        for host in ("localhost", "127.0.0.1:8780", "[::1]:8780", "LOCALHOST:1",
                     "dash.example.org", "dash.example.org:443", "a.corp.example"):
            resp = self.client.get("/?project=p", headers={"Host": host})
            self.assertEqual(200, resp.status_code, host)

    def test_other_names_are_refused_with_the_remedy(self):
        for host in ("evil.example", "127.0.0.1.evil.example", "localhost.evil.example",
                     "10.0.0.9", "dash.example.org.evil", "a b", "<x>"):
            for url in ("/?project=p", "/api/v1/quotas", "/static/dashboard.js", "/login"):
                resp = self.client.get(url, headers={"Host": host})
                self.assertEqual(400, resp.status_code, "%s %s" % (host, url))
            text = self.client.get("/", headers={"Host": host}).get_data(as_text=True)
            self.assertIn("allowed_hosts", text)
            self.assertNotIn("<x>", text)  # escaped
        body = self.client.get("/api/v1/quotas", headers={"Host": "evil.example"}).get_json()
        self.assertIn("does not answer to the host 'evil.example'", body["error"]["message"])
        self.assertIn("dash.example.org", body["error"]["message"])

    def test_writes_from_a_rebound_name_change_nothing(self):
        resp = self.client.patch("/api/v1/quotas?project=p", json={"limits": {"dash_intree.cores": 3}},
                                 headers=dict(self.bearer(), Host="evil.example"))
        self.assertEqual(400, resp.status_code)
        self.assertFalse(self.limits("p")["dash_intree.cores"][1])

    def test_a_wildcard_bind_answers_addresses_not_foreign_names(self):
        from plugfair.dashboard.app import create_app

        app = create_app(self.service, self.service.conf, bound_host="0.0.0.0")
        client = app.test_client()
        for host, status in (("192.0.2.7:8780", 200), ("[2001:db8::1]", 200), ("localhost", 200),
                             ("evil.example", 400), ("dash.example.org", 200)):
            self.assertEqual(status, client.get("/", headers={"Host": host}).status_code, host)


class TestProjectIds(base.DashboardTestCase):
    """The CLI's rule: no line break, control or bidi character, anywhere."""

    BAD = ("%0d%0aX:1", "X:1%0d%0a", "a%0ab", "%E2%80%AEtxt.exe", "a%E2%81%A6b", "a%C2%85b",
           "a%09b", "%00", "a%E2%80%8Bb")

    def test_bad_ids_are_refused_and_never_cut(self):
        for bad in self.BAD:
            resp = self.client.get("/?project=" + bad)
            self.assertEqual(400, resp.status_code, bad)
            self.assertIn("control characters", resp.get_data(as_text=True), bad)
            resp = self.client.patch("/api/v1/quotas?project=" + bad,
                                     json={"limits": {"dash_intree.cores": 3}}, headers=self.bearer())
            self.assertEqual(400, resp.status_code, bad)
        csrf = self.login()
        resp = self.client.post("/plugins/dash_intree/limits", data={
            "csrf_token": csrf, "project": "\r\nX:1", "limit:dash_intree.cores": "3"})
        self.assertEqual(400, resp.status_code)
        # nothing was written, under any name
        import sqlite3

        with sqlite3.connect(self.work + "/quota.sqlite") as db:
            self.assertEqual([], list(db.execute("SELECT project_id FROM plugfair_quota_limits")))

    def test_spaces_around_a_typed_id_are_dropped(self):
        self.assertEqual(200, self.client.get("/?project=%20p1%20").status_code)
        resp = self.client.patch("/api/v1/quotas?project=%20p1",
                                 json={"limits": {"dash_intree.cores": 3}}, headers=self.bearer())
        self.assertEqual(200, resp.status_code)
        self.assertEqual((3, True), self.limits("p1")["dash_intree.cores"])

    def test_same_rule_as_the_cli(self):
        from plugfair.api import QuotaError
        from plugfair.quota.service import validate_project

        for bad in ("\r\nX:1", "a\u202eb", "a b", "a\x85b", "a\u200bb"):
            self.assertRaises(QuotaError, validate_project, bad)


class TestLogout(base.DashboardTestCase):
    """Logging out ends the session on the server: a copied cookie fails."""

    def _cookie(self, client: Any) -> str:
        cookie = client.get_cookie("plugfair_dashboard")
        self.assertIsNotNone(cookie)
        return str(cookie.value)

    def _can_write(self, client: Any, csrf: str) -> int:
        resp = client.patch("/api/v1/quotas?project=p", json={"limits": {"dash_intree.cores": 2}},
                            headers={"X-CSRF-Token": csrf})
        return int(resp.status_code)

    def test_a_replayed_cookie_is_logged_out(self):
        csrf = self.login()
        stolen = self._cookie(self.client)
        self.assertEqual(200, self._can_write(self.client, csrf))
        resp = self.client.post("/logout", data={"csrf_token": csrf})
        self.assertEqual(303, resp.status_code)
        replay = self.app.test_client()
        replay.set_cookie("plugfair_dashboard", stolen)
        self.assertEqual(401, self._can_write(replay, csrf))
        page = replay.get("/plugins/dash_intree?project=p").get_data(as_text=True)
        self.assertNotIn("Log out", page)

    def test_another_instance_sees_the_logout(self):
        from plugfair.dashboard.app import create_app

        other = create_app(self.make_service(), self.service.conf).test_client()
        csrf = self.login()
        other.set_cookie("plugfair_dashboard", self._cookie(self.client))
        self.assertEqual(200, self._can_write(other, csrf))
        self.client.post("/logout", data={"csrf_token": csrf})
        self.assertEqual(401, self._can_write(other, csrf))

    def test_only_a_digest_of_the_session_is_stored(self):
        import sqlite3

        self.login()
        with self.client.session_transaction() as sess:
            sid = sess["sid"]
        with sqlite3.connect(self.work + "/quota.sqlite") as db:
            rows = list(db.execute("SELECT id_hash FROM plugfair_dashboard_sessions"))
        self.assertEqual(1, len(rows))
        self.assertNotIn(sid, rows[0][0])


class TestFailedTokens(base.DashboardTestCase):
    """Failed admin-token attempts are limited per client address."""

    extra_conf = "max_failed_logins = 3\nfailed_login_window = 60\n"

    def _login_post(self, token: str, addr: str = "192.0.2.1") -> Any:
        client = self.app.test_client()
        client.environ_base["REMOTE_ADDR"] = addr
        page = client.get("/login")
        csrf = self.csrf_from(page.get_data(as_text=True))
        return client.post("/login", data={"token": token, "csrf_token": csrf, "next": "/"})

    def test_login_form(self):
        from plugfair.dashboard.app import state

        for _ in range(3):
            self.assertEqual(401, self._login_post("wrong").status_code)
        resp = self._login_post("wrong")
        self.assertEqual(429, resp.status_code)
        self.assertIn("Try again in", resp.get_data(as_text=True))
        self.assertTrue(1 <= int(resp.headers["Retry-After"]) <= 60)
        # even the right token waits; another address does not
        from plugfair.tests.dashboard import fixtures as df

        self.assertEqual(429, self._login_post(df.TOKEN).status_code)
        self.assertEqual(303, self._login_post(df.TOKEN, addr="192.0.2.2").status_code)
        # once the window has passed, it may try again
        with self.app.app_context():
            limiter = state().limiter
        now = [1000.0]
        limiter._clock = lambda: now[0]
        limiter._failures.clear()
        for _ in range(3):
            self._login_post("wrong")
        self.assertEqual(429, self._login_post(df.TOKEN).status_code)
        now[0] += 61
        self.assertEqual(303, self._login_post(df.TOKEN).status_code)

    def test_bearer_tokens(self):
        headers = {"Authorization": "Bearer wrong"}
        body = {"limits": {"dash_intree.cores": 2}}
        for _ in range(3):
            resp = self.client.patch("/api/v1/quotas?project=p", json=body, headers=headers)
            self.assertEqual(401, resp.status_code)
        resp = self.client.patch("/api/v1/quotas?project=p", json=body, headers=self.bearer())
        self.assertEqual(429, resp.status_code)
        self.assertIn("Retry-After", resp.headers)
        self.assertIn("Too many failed attempts", resp.get_json()["error"]["message"])
        self.assertFalse(self.limits("p")["dash_intree.cores"][1])


class TestSecureCookie(base.DashboardTestCase):
    def _set_cookie(self, client: Any, **kwargs: Any) -> str:
        page = client.get("/login", **kwargs)
        csrf = self.csrf_from(page.get_data(as_text=True))
        from plugfair.tests.dashboard import fixtures as df

        resp = client.post("/login", data={"token": df.TOKEN, "csrf_token": csrf, "next": "/"},
                           **kwargs)
        self.assertEqual(303, resp.status_code)
        return ";".join(resp.headers.getlist("Set-Cookie"))

    def test_plain_http_cookie_is_not_secure(self):
        cookie = self._set_cookie(self.app.test_client())
        self.assertIn("HttpOnly", cookie)
        self.assertNotIn("Secure", cookie)

    def test_https_requests_get_a_secure_cookie(self):
        cookie = self._set_cookie(self.app.test_client(), base_url="https://localhost")
        self.assertIn("Secure", cookie)

    def test_configured_secure_cookies(self):
        from plugfair.dashboard.app import create_app

        with open(self.conf_file, "a") as f:
            f.write("secure_cookies = true\n")
        service = self.make_service()
        app = create_app(service, service.conf)
        self.assertIn("Secure", self._set_cookie(app.test_client()))
