"""The JSON API: reads, authorized writes, refusals that write nothing."""

from __future__ import annotations

import json

from plugfair.tests.dashboard import base
from plugfair.tests.dashboard import fixtures as df

P = base.PROJECT
URL = "/api/v1/quotas?project=%s" % P


class TestRead(base.DashboardTestCase):
    def test_panels_for_a_project(self):
        resp = self.client.get(URL)
        self.assertEqual(200, resp.status_code)
        self.assertEqual("application/json", resp.mimetype)
        data = resp.get_json()
        self.assertEqual(P, data["project"])
        self.assertEqual(
            ["dash_hostile", "dash_intree", "dash_outoftree", "dash_unknown"],
            [p["name"] for p in data["plugins"]],
        )
        intree = data["plugins"][1]
        # its callback counts every resource but volumes
        self.assertEqual("unknown", intree["usage"])
        self.assertEqual("volumes: not counted by its usage callback.", intree["usage_reason"])
        self.assertEqual("not counted by its usage callback.", intree["resources"][3]["usage_reason"])
        self.assertEqual("ok", data["plugins"][0]["usage"])
        self.assertEqual("", data["plugins"][0]["usage_reason"])
        cores = intree["resources"][0]
        self.assertEqual(
            {
                "key": "dash_intree.cores",
                "plugin": "dash_intree",
                "resource": "cores",
                "unit": "count",
                "description": "Virtual CPU cores.",
                "default": 20,
                "limit": 20,
                "in_use": 19,
                "remaining": 1,
                "overridden": False,
                "usage_reason": "",
                "state": "high",
                "label": "19 / 20 count",
            },
            {k: v for k, v in cores.items() if k != "meter"},
        )
        unknown = data["plugins"][3]
        self.assertEqual("unknown", unknown["usage"])
        self.assertIn("usage backend <down>", unknown["usage_reason"])
        self.assertIn("usage backend <down>", unknown["resources"][0]["usage_reason"])
        self.assertEqual([{"name": "dash_broken", "status": "failed"}],
                         [{k: p[k] for k in ("name", "status")} for p in data["problems"]])

    def test_in_tree_and_out_of_tree_answer_alike(self):
        data = self.client.get(URL).get_json()
        panels = {p["name"]: p for p in data["plugins"]}

        def norm(panel, name):
            return json.loads(json.dumps(panel).replace(name, "PLUGIN"))

        self.assertEqual(
            norm(panels["dash_intree"], "dash_intree"),
            norm(panels["dash_outoftree"], "dash_outoftree"),
        )

    def test_defaults_without_project(self):
        data = self.client.get("/api/v1/quotas").get_json()
        self.assertIsNone(data["project"])
        states = {r["state"] for p in data["plugins"] for r in p["resources"]}
        self.assertEqual({"default"}, states)

    def test_one_plugin(self):
        data = self.client.get(URL + "&plugin=dash_outoftree").get_json()
        self.assertEqual(["dash_outoftree"], [p["name"] for p in data["plugins"]])

    def test_read_errors(self):
        cases = [
            ("/api/v1/quotas?plugin=nope", 404),
            ("/api/v1/quotas?plugin=dash_broken", 404),
            ("/api/v1/quotas?project=a&project=b", 400),
            ("/api/v1/quotas?plugin=a&plugin=b", 400),
            ("/api/v1/quotas?project=%00", 400),
            ("/api/v1/quotas?project=" + "p" * 300, 400),
            ("/api/v1/nothing", 404),
        ]
        for url, status in cases:
            resp = self.client.get(url)
            self.assertEqual(status, resp.status_code, url)
            error = resp.get_json()["error"]
            self.assertEqual(status, error["code"])
            self.assertTrue(error["message"])

    def test_wrong_method(self):
        resp = self.client.post(URL, json={"limits": {}}, headers=self.bearer())
        self.assertEqual(405, resp.status_code)
        self.assertIn("PATCH", resp.headers["Allow"])
        self.assertEqual(405, resp.get_json()["error"]["code"])


class TestWriteWithBearer(base.DashboardTestCase):
    def test_set_then_reset(self):
        resp = self.client.patch(
            URL,
            json={"limits": {"dash_intree.cores": 40, "dash_outoftree.ram": "512"}},
            headers=self.bearer(),
        )
        self.assertEqual(200, resp.status_code, resp.get_data(as_text=True))
        panels = {p["name"]: p for p in resp.get_json()["plugins"]}
        self.assertEqual(40, panels["dash_intree"]["resources"][0]["limit"])
        limits = self.limits(fresh=True)
        self.assertEqual((40, True), limits["dash_intree.cores"])
        self.assertEqual((512, True), limits["dash_outoftree.ram"])
        # reset one key, then all
        resp = self.client.delete(URL + "&key=dash_intree.cores", headers=self.bearer())
        self.assertEqual(200, resp.status_code)
        limits = self.limits()
        self.assertEqual((20, False), limits["dash_intree.cores"])
        self.assertEqual((512, True), limits["dash_outoftree.ram"])
        resp = self.client.delete(URL, headers=self.bearer())
        self.assertEqual(200, resp.status_code)
        self.assertEqual((-1, False), self.limits()["dash_outoftree.ram"])

    def test_unlimited_and_bounds(self):
        resp = self.client.patch(
            URL, json={"limits": {"dash_intree.cores": -1, "dash_intree.instances": 2**31 - 1}},
            headers=self.bearer(),
        )
        self.assertEqual(200, resp.status_code)
        self.assertEqual((-1, True), self.limits()["dash_intree.cores"])

    def test_bad_bodies_write_nothing(self):
        self.client.patch(URL, json={"limits": {"dash_intree.cores": 30}}, headers=self.bearer())
        before = self.limits()
        good = {"dash_intree.instances": 11}
        cases = [
            ({"limits": dict(good, **{"dash_intree.cores": -2})}, 400, "negative"),
            ({"limits": dict(good, **{"dash_intree.cores": 2**31})}, 400, "maximum"),
            ({"limits": dict(good, **{"dash_intree.cores": 1.5})}, 400, "integer"),
            ({"limits": dict(good, **{"dash_intree.cores": "ten"})}, 400, "not an integer"),
            ({"limits": dict(good, **{"dash_intree.cores": True})}, 400, "boolean"),
            ({"limits": dict(good, **{"dash_intree.cores": None})}, 400, "integer"),
            ({"limits": dict(good, **{"dash_intree.cores": [1]})}, 400, "integer"),
            ({"limits": dict(good, **{"dash_intree.nope": 1})}, 400, "Unknown key"),
            ({"limits": dict(good, **{"nope.cores": 1})}, 400, "nope"),
            ({"limits": dict(good, **{"dash_broken.x": 1})}, 400, "dash_broken"),
            ({"limits": dict(good, **{"nodot": 1})}, 400, "<plugin>.<resource>"),
            ({"limits": {}}, 400, "non-empty"),
            ({"limits": [1, 2]}, 400, "non-empty object"),
            ({"limit": good}, 400, "Unknown field"),
            ({"limits": good, "project": "other"}, 400, "Unknown field"),
            ([good], 400, "JSON object"),
            ("text", 400, "JSON object"),
            (0, 400, "JSON object"),
        ]
        for body, status, words in cases:
            resp = self.client.patch(URL, json=body, headers=self.bearer())
            self.assertEqual(status, resp.status_code, repr(body))
            self.assertIn(words, resp.get_json()["error"]["message"], repr(body))
            self.assertEqual(before, self.limits(), repr(body))

    def test_malformed_requests_write_nothing(self):
        before = self.limits()
        raw_cases = [
            (b'{"limits": {"dash_intree.cores": 5}', "application/json", 400),
            (b"\xff\xfe{}", "application/json", 400),
            (b'{"limits": {"dash_intree.cores": NaN}}', "application/json", 400),
            (b'{"limits": {"dash_intree.cores": Infinity}}', "application/json", 400),
            (b'{"limits": {"dash_intree.cores": 1e400}}', "application/json", 400),
            (b'{"limits": {"dash_intree.cores": ' + b"9" * 5000 + b"}}", "application/json", 400),
            (b"[" * 5000 + b"]" * 5000, "application/json", 400),
            (b"", "application/json", 400),
            (b"null", "application/json", 400),
            (b'{"limits": {"dash_intree.cores": 5}, "limits": {"x": 1}}', "application/json", 400),
            (b'{"limits": {"dash_intree.cores": 5}}', "text/plain", 415),
            (b'{"limits": {"dash_intree.cores": 5}}', "application/x-www-form-urlencoded", 415),
            (b'{"limits": {"dash_intree.cores": 5}}', "", 415),
        ]
        for raw, ctype, status in raw_cases:
            headers = dict(self.bearer())
            if ctype:
                headers["Content-Type"] = ctype
            resp = self.client.patch(URL, data=raw, headers=headers)
            self.assertEqual(status, resp.status_code, repr(raw[:60]))
            self.assertIn("error", resp.get_json(), repr(raw[:60]))
            self.assertEqual(before, self.limits(), repr(raw[:60]))

    def test_project_is_required_for_writes(self):
        for url in ("/api/v1/quotas", "/api/v1/quotas?project=", "/api/v1/quotas?project=%20"):
            resp = self.client.patch(url, json={"limits": {"dash_intree.cores": 5}}, headers=self.bearer())
            self.assertEqual(400, resp.status_code, url)
            self.assertIn("project", resp.get_json()["error"]["message"])
            resp = self.client.delete(url, headers=self.bearer())
            self.assertEqual(400, resp.status_code, url)

    def test_delete_unknown_key_deletes_nothing(self):
        self.client.patch(URL, json={"limits": {"dash_intree.cores": 30}}, headers=self.bearer())
        resp = self.client.delete(URL + "&key=dash_intree.cores&key=dash_intree.nope", headers=self.bearer())
        self.assertEqual(400, resp.status_code)
        self.assertEqual((30, True), self.limits()["dash_intree.cores"])

    def test_too_large_request(self):
        body = json.dumps({"limits": {"dash_intree.cores": 5}, "pad": "x" * 70000})
        resp = self.client.patch(URL, data=body, content_type="application/json", headers=self.bearer())
        self.assertEqual(413, resp.status_code)
        self.assertEqual(413, resp.get_json()["error"]["code"])
        self.assertEqual((20, False), self.limits()["dash_intree.cores"])


class TestWriteAuthorization(base.DashboardTestCase):
    def write(self, headers=None, client=None):
        client = client or self.client
        return client.patch(URL, json={"limits": {"dash_intree.cores": 33}}, headers=headers or {})

    def assertUnchanged(self):
        self.assertEqual((20, False), self.limits()["dash_intree.cores"])

    def test_no_credentials(self):
        resp = self.write()
        self.assertEqual(401, resp.status_code)
        self.assertIn("Bearer", resp.headers["WWW-Authenticate"])
        self.assertUnchanged()

    def test_wrong_tokens(self):
        for token in ("wrong", df.TOKEN + "x", df.TOKEN[:-1], df.TOKEN.upper(), "ünïcode-tøken"):
            resp = self.write(self.bearer(token))
            self.assertEqual(401, resp.status_code, token)
        for header in ("Basic " + df.TOKEN, df.TOKEN, "Bearer", "Bearer  "):
            resp = self.write({"Authorization": header})
            self.assertEqual(401, resp.status_code, header)
        self.assertUnchanged()

    def test_token_is_compared_in_constant_time(self):
        import hmac

        from plugfair.dashboard import security

        calls = []
        real = hmac.compare_digest

        def spy(a, b):
            calls.append((a, b))
            return real(a, b)

        self.useFixture(__import__("fixtures").MonkeyPatch("plugfair.dashboard.security.hmac.compare_digest", spy))
        self.assertEqual(401, self.write(self.bearer("wrong-token")).status_code)
        self.assertEqual([(b"wrong-token", df.TOKEN.encode())], calls)
        self.assertTrue(security.same_token(df.TOKEN, df.TOKEN))
        self.assertFalse(security.same_token("", ""))
        self.assertFalse(security.same_token(None, df.TOKEN))
        self.assertFalse(security.same_token(df.TOKEN, None))

    def test_browser_session_needs_csrf_header(self):
        csrf = self.login()
        self.assertEqual(403, self.write().status_code)
        self.assertEqual(403, self.write({"X-CSRF-Token": "forged"}).status_code)
        self.assertUnchanged()
        resp = self.write({"X-CSRF-Token": csrf})
        self.assertEqual(200, resp.status_code, resp.get_data(as_text=True))
        self.assertEqual((33, True), self.limits()["dash_intree.cores"])

    def test_browser_session_cross_origin_is_refused(self):
        csrf = self.login()
        for headers in (
            {"X-CSRF-Token": csrf, "Origin": "http://evil.example"},
            {"X-CSRF-Token": csrf, "Origin": "null"},
            {"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"},
            {"X-CSRF-Token": csrf, "Sec-Fetch-Site": "same-site"},
        ):
            self.assertEqual(403, self.write(headers).status_code, repr(headers))
        self.assertUnchanged()
        resp = self.write({"X-CSRF-Token": csrf, "Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})
        self.assertEqual(200, resp.status_code)

    def test_csrf_token_of_another_session_is_refused(self):
        other = self.app.test_client()
        other_csrf = self.login(other)
        self.login()
        self.assertEqual(403, self.write({"X-CSRF-Token": other_csrf}).status_code)
        self.assertUnchanged()

    def test_logged_out_session_cannot_write(self):
        csrf = self.login()
        resp = self.client.post("/logout", data={"csrf_token": csrf})
        self.assertEqual(303, resp.status_code)
        self.assertEqual(401, self.write({"X-CSRF-Token": csrf}).status_code)
        self.assertUnchanged()

    def test_session_of_another_token_is_refused(self):
        # A session cookie signed for one token is worthless under another.
        self.login()
        cookie = self.client.get_cookie("plugfair_dashboard")
        assert cookie is not None
        from plugfair.config.loader import build_conf
        from plugfair.dashboard.app import create_app

        conf = build_conf([df.write_conf(self.work, token="another-token-abcdefghijklmnop")])
        app = create_app(self.service, conf)
        client = app.test_client()
        client.set_cookie("plugfair_dashboard", cookie.value)
        resp = client.patch(URL, json={"limits": {"dash_intree.cores": 1}}, headers={"X-CSRF-Token": "x"})
        self.assertEqual(401, resp.status_code)
        self.assertUnchanged()


class TestReadOnlyApi(base.DashboardTestCase):
    token = None

    def test_writes_are_refused(self):
        for headers in ({}, self.bearer(), {"Authorization": "Bearer "}):
            resp = self.client.patch(URL, json={"limits": {"dash_intree.cores": 1}}, headers=headers)
            self.assertEqual(403, resp.status_code)
            self.assertIn("read-only", resp.get_json()["error"]["message"])
            resp = self.client.delete(URL, headers=headers)
            self.assertEqual(403, resp.status_code)
        self.assertEqual((20, False), self.limits()["dash_intree.cores"])

    def test_reads_work(self):
        self.assertEqual(200, self.client.get(URL).status_code)


class TestEmptyTokenIsNoToken(base.DashboardTestCase):
    token = None
    extra_conf = "admin_token =\n"

    def test_empty_bearer_cannot_write(self):
        resp = self.client.patch(URL, json={"limits": {"dash_intree.cores": 1}}, headers={"Authorization": "Bearer "})
        self.assertEqual(403, resp.status_code)
        self.assertEqual((20, False), self.limits()["dash_intree.cores"])
