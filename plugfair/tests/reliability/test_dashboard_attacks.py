"""Issue 14, point 9: attacks on the dashboard over real HTTP.

A real waitress server on 127.0.0.1 serves the dashboard over a real
SQLite store; the attacks are raw HTTP requests (``http.client``), so the
``Host`` header, the address and the cookies are what a hostile page or
script would send.  Each class counts its attacks and how many were
held:

* DNS rebinding: foreign names in ``Host`` are refused (400) on pages,
  the API and static files, and a write under one changes nothing;
* project ids with CR/LF, control or bidi characters are refused (400)
  and nothing is written under any name;
* a session cookie replayed after logging out cannot write;
* guessing the admin token is stopped after ``max_failed_logins``
  failures (429 with ``Retry-After``), the right token included;
* the session cookie is ``Secure`` when configured.
"""

from __future__ import annotations

import http.client
import json
import re
import sqlite3
import urllib.parse
from typing import Any

import fixtures

from plugfair.tests.dashboard import base as dbase
from plugfair.tests.dashboard import fixtures as df
from plugfair.tests.reliability import figures

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class DashboardOverHTTP(dbase.DashboardTestCase):
    extra_conf = "max_failed_logins = 4\nfailed_login_window = 600\nsecure_cookies = true\n"

    def setUp(self) -> None:
        super().setUp()
        from plugfair.dashboard.serve import BackgroundServer

        self.server = BackgroundServer(self.app).start()
        self.addCleanup(self.server.stop)
        parsed = urllib.parse.urlsplit(self.server.url)
        self.addr: tuple[str, int] = (str(parsed.hostname), int(parsed.port or 80))
        self.useFixture(fixtures.MonkeyPatch("sys.stderr", __import__("io").StringIO()))

    def request(self, method: str, path: str, *, host: str | None = None,
                headers: dict[str, str] | None = None, body: Any = None) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection(*self.addr, timeout=30)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", host if host is not None else "%s:%s" % self.addr)
            data = b""
            if body is not None:
                if isinstance(body, dict) and "limits" in body:
                    data = json.dumps(body).encode()
                    conn.putheader("Content-Type", "application/json")
                else:
                    data = urllib.parse.urlencode(body).encode()
                    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
                conn.putheader("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            conn.endheaders(data or None)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, text
        finally:
            conn.close()

    def http_login(self, token: str = df.TOKEN) -> tuple[int, str, str]:
        """Log in; return (status, cookie, csrf)."""
        status, headers, text = self.request("GET", "/login")
        cookie = headers.get("set-cookie", "").split(";")[0]
        csrf = _CSRF.search(text).group(1)  # type: ignore[union-attr]
        status, headers, text = self.request(
            "POST", "/login", headers={"Cookie": cookie},
            body={"token": token, "csrf_token": csrf, "next": "/"})
        new = headers.get("set-cookie", "")
        if status == 303:
            cookie = new.split(";")[0]
            page = self.request("GET", "/plugins/dash_intree?project=p", headers={"Cookie": cookie})[2]
            csrf = _CSRF.search(page).group(1)  # type: ignore[union-attr]
        self.last_set_cookie = new
        return status, cookie, csrf

    def stored_projects(self) -> list[str]:
        with sqlite3.connect(self.work + "/quota.sqlite") as db:
            return sorted({r[0] for r in db.execute("SELECT project_id FROM plugfair_quota_limits")})

    def tally(self, cls: str, results: list[bool]) -> None:
        figures.record("dashboard_security", **{"%s_attacks" % cls: len(results),
                                                "%s_held" % cls: sum(results)})
        self.assertEqual(len(results), sum(results), cls)

    # -- the classes --------------------------------------------------

    def test_dns_rebinding(self):
        held = []
        for host in ("evil.example", "evil.example:%d" % self.addr[1], "127.0.0.1.nip.io",
                     "localhost.evil.example", "10.9.8.7", "[::2]", "", "a b"):
            for path in ("/", "/?project=p", "/api/v1/quotas", "/static/dashboard.js", "/login"):
                status, _headers, text = self.request("GET", path, host=host)
                held.append(status == 400)
        status, _h, text = self.request(
            "PATCH", "/api/v1/quotas?project=p", host="evil.example",
            headers={"Authorization": "Bearer " + df.TOKEN},
            body={"limits": {"dash_intree.cores": 3}})
        held.append(status == 400 and "allowed_hosts" in text and self.stored_projects() == [])
        # the real names still work
        self.assertEqual(200, self.request("GET", "/?project=p")[0])
        self.assertEqual(200, self.request("GET", "/", host="localhost")[0])
        self.tally("host", held)

    def test_project_ids(self):
        held = []
        for bad in ("%0d%0aX:1", "X:1%0d%0aSet-Cookie:%20a=b", "%E2%80%AEexe.txt", "a%00b",
                    "a%0bb", "a%C2%9bb", "a%E2%81%A7b", "a%EF%BB%BFb"):
            status = self.request("GET", "/?project=" + bad)[0]
            put = self.request("PATCH", "/api/v1/quotas?project=" + bad,
                               headers={"Authorization": "Bearer " + df.TOKEN},
                               body={"limits": {"dash_intree.cores": 3}})[0]
            held.append(status == 400 and put == 400)
        held.append(self.stored_projects() == [])
        self.tally("project_id", held)

    def test_logout_replay(self):
        status, cookie, csrf = self.http_login()
        self.assertEqual(303, status)
        write = {"limits": {"dash_intree.cores": 2}}
        ok = self.request("PATCH", "/api/v1/quotas?project=p",
                          headers={"Cookie": cookie, "X-CSRF-Token": csrf}, body=write)[0]
        self.assertEqual(200, ok)
        self.request("POST", "/logout", headers={"Cookie": cookie}, body={"csrf_token": csrf})
        held = []
        for _ in range(3):
            status = self.request("PATCH", "/api/v1/quotas?project=p2",
                                  headers={"Cookie": cookie, "X-CSRF-Token": csrf}, body=write)[0]
            held.append(status == 401)
        held.append("p2" not in self.stored_projects())
        self.tally("logout_replay", held)

    def test_token_guessing(self):
        held = []
        guesses = ["guess-%d" % i for i in range(20)]
        results = [self.http_login(token)[0] for token in guesses[:4]]
        self.assertEqual([401] * 4, results)
        for token in guesses[4:]:
            status = self.http_login(token)[0]
            held.append(status == 429)
        status, headers, text = self.request(
            "PATCH", "/api/v1/quotas?project=p",
            headers={"Authorization": "Bearer " + df.TOKEN}, body={"limits": {"dash_intree.cores": 3}})
        held.append(status == 429 and int(headers["retry-after"]) > 0)
        held.append(self.http_login(df.TOKEN)[0] == 429)  # the right token waits too
        self.tally("token_guessing", held)

    def test_secure_cookie(self):
        status, _cookie, _csrf = self.http_login()
        self.assertEqual(303, status)
        parts = [p.strip().lower() for p in self.last_set_cookie.split(";")]
        held = ["secure" in parts, "httponly" in parts, "samesite=strict" in parts]
        self.tally("cookie", held)
