"""Browser forms without JavaScript: login, save, reset, logout."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from plugfair.tests.dashboard import base
from plugfair.tests.dashboard import fixtures as df

P = base.PROJECT
SAVE = "/plugins/dash_intree/limits"
RESET = "/plugins/dash_intree/reset"


class TestLogin(base.DashboardTestCase):
    def test_login_and_logout(self):
        page = self.client.get("/login?next=/plugins/dash_intree%3Fproject%3Dp")
        self.assertEqual(200, page.status_code)
        csrf = self.csrf_from(page.get_data(as_text=True))
        resp = self.client.post(
            "/login",
            data={"token": df.TOKEN, "csrf_token": csrf, "next": "/plugins/dash_intree?project=p"},
        )
        self.assertEqual(303, resp.status_code)
        self.assertEqual("/plugins/dash_intree?project=p", resp.headers["Location"])
        cookie = resp.headers["Set-Cookie"]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        text = self.client.get("/").get_data(as_text=True)
        self.assertIn("Log out", text)
        new_csrf = self.csrf_from(text)
        self.assertNotEqual(csrf, new_csrf)  # rotated at login
        resp = self.client.post("/logout", data={"csrf_token": new_csrf})
        self.assertEqual(303, resp.status_code)
        self.assertIn("Log in to edit", self.client.get("/").get_data(as_text=True))

    def test_wrong_token(self):
        csrf = self.csrf_from(self.client.get("/login").get_data(as_text=True))
        for token in ("", "nope", df.TOKEN + " ", "é" * 40):
            resp = self.client.post("/login", data={"token": token, "csrf_token": csrf})
            self.assertEqual(401, resp.status_code, token)
            self.assertIn("not the admin token", resp.get_data(as_text=True))
        self.assertNotIn("Log out", self.client.get("/").get_data(as_text=True))

    def test_login_needs_csrf(self):
        self.client.get("/login")
        for data in ({"token": df.TOKEN}, {"token": df.TOKEN, "csrf_token": "forged"}):
            resp = self.client.post("/login", data=data)
            self.assertEqual(403, resp.status_code)
        # a fresh client with no session at all
        resp = self.app.test_client().post("/login", data={"token": df.TOKEN, "csrf_token": ""})
        self.assertEqual(403, resp.status_code)

    def test_logout_needs_csrf(self):
        self.login()
        self.assertEqual(403, self.client.post("/logout", data={}).status_code)
        self.assertIn("Log out", self.client.get("/").get_data(as_text=True))

    def test_next_never_leaves_the_site(self):
        for target in ("//evil.example/", "https://evil.example/", "/\\evil", "javascript:alert(1)", "/ok\r\nX: y"):
            csrf = self.csrf_from(self.client.get("/login").get_data(as_text=True))
            resp = self.client.post("/login", data={"token": df.TOKEN, "csrf_token": csrf, "next": target})
            self.assertEqual(303, resp.status_code)
            self.assertEqual("/", resp.headers["Location"], target)
            self.client.post("/logout", data={"csrf_token": self.csrf_from(self.client.get("/").get_data(as_text=True))})


class TestSaveForm(base.DashboardTestCase):
    def test_save_changed_limits(self):
        csrf = self.login()
        resp = self.client.post(
            SAVE,
            data={
                "csrf_token": csrf,
                "project": P,
                "limit:dash_intree.cores": "25",
                "limit:dash_intree.instances": "10",  # unchanged: not written
                "limit:dash_intree.ram": "-1",
                "limit:dash_intree.volumes": " 7 ",
            },
        )
        self.assertEqual(303, resp.status_code, resp.get_data(as_text=True))
        self.assertIn("/plugins/dash_intree?project=%s" % P, resp.headers["Location"])
        limits = self.limits()
        self.assertEqual((25, True), limits["dash_intree.cores"])
        self.assertEqual((10, False), limits["dash_intree.instances"])
        self.assertEqual((-1, False), limits["dash_intree.ram"])
        self.assertEqual((7, True), limits["dash_intree.volumes"])
        page = self.client.get(resp.headers["Location"]).get_data(as_text=True)
        self.assertIn("Saved 2 limit(s)", page)

    def test_nothing_changed(self):
        csrf = self.login()
        resp = self.client.post(SAVE, data={"csrf_token": csrf, "project": P, "limit:dash_intree.cores": "20"})
        self.assertEqual(303, resp.status_code)
        self.assertEqual((20, False), self.limits()["dash_intree.cores"])

    def test_bad_forms_write_nothing(self):
        csrf = self.login()
        good = {"csrf_token": csrf, "project": P, "limit:dash_intree.instances": "3"}
        cases = [
            (dict(good, **{"limit:dash_intree.cores": "-5"}), "negative"),
            (dict(good, **{"limit:dash_intree.cores": "2147483648"}), "maximum"),
            (dict(good, **{"limit:dash_intree.cores": "1.5"}), "not an integer"),
            (dict(good, **{"limit:dash_intree.cores": ""}), "not an integer"),
            (dict(good, **{"limit:dash_intree.cores": "<script>"}), "not an integer"),
            (dict(good, **{"limit:dash_intree.nope": "1"}), "not a quota key"),
            (dict(good, **{"limit:dash_outoftree.cores": "1"}), "not a quota key"),
            (dict(good, **{"other": "1"}), "Unexpected form field"),
            ({"csrf_token": csrf, "project": P}, "no limits"),
        ]
        for data, words in cases:
            resp = self.client.post(SAVE, data=data)
            self.assertEqual(400, resp.status_code, repr(data))
            page = resp.get_data(as_text=True)
            self.assertIn(words, page, repr(data))
            self.assertIn('class="limit-input"', page)  # the form, again
            self.assertEqual((10, False), self.limits()["dash_intree.instances"], repr(data))
        # the same field twice
        resp = self.client.post(
            SAVE,
            data=MultiDict(
                [("csrf_token", csrf), ("project", P), ("limit:dash_intree.cores", "3"), ("limit:dash_intree.cores", "4")]
            ),
        )
        self.assertEqual(400, resp.status_code)
        self.assertEqual((20, False), self.limits()["dash_intree.cores"])

    def test_project_is_required(self):
        csrf = self.login()
        for project in ("", "   ", "a b", "x" * 65, "\x00"):
            resp = self.client.post(SAVE, data={"csrf_token": csrf, "project": project, "limit:dash_intree.cores": "3"})
            self.assertEqual(400, resp.status_code, project)
        self.assertEqual((20, False), self.limits()["dash_intree.cores"])

    def test_unknown_plugin(self):
        csrf = self.login()
        resp = self.client.post("/plugins/nope/limits", data={"csrf_token": csrf, "project": P, "limit:nope.x": "3"})
        self.assertEqual(404, resp.status_code)

    def test_refused_without_login_or_csrf(self):
        data = {"project": P, "limit:dash_intree.cores": "3"}
        resp = self.client.post(SAVE, data=dict(data, csrf_token="x"))
        self.assertEqual(403, resp.status_code)
        self.assertIn("Log in", resp.get_data(as_text=True))
        csrf = self.login()
        self.assertEqual(403, self.client.post(SAVE, data=data).status_code)
        self.assertEqual(403, self.client.post(SAVE, data=dict(data, csrf_token=csrf[:-1])).status_code)
        resp = self.client.post(SAVE, data=dict(data, csrf_token=csrf), headers={"Origin": "http://evil.example"})
        self.assertEqual(403, resp.status_code)
        self.assertEqual((20, False), self.limits()["dash_intree.cores"])

    def test_too_large_form(self):
        csrf = self.login()
        resp = self.client.post(SAVE, data={"csrf_token": csrf, "project": P, "limit:dash_intree.cores": "3" * 70000})
        self.assertEqual(413, resp.status_code)
        many = [("limit:dash_intree.cores", "1")] * 2000 + [("csrf_token", csrf), ("project", P)]
        resp = self.client.post(SAVE, data=MultiDict(many))
        self.assertIn(resp.status_code, (400, 413))
        self.assertEqual((20, False), self.limits()["dash_intree.cores"])

    def test_reset(self):
        csrf = self.login()
        self.client.post(SAVE, data={"csrf_token": csrf, "project": P, "limit:dash_intree.cores": "3"})
        self.client.patch("/api/v1/quotas?project=%s" % P, json={"limits": {"dash_outoftree.cores": 4}}, headers=self.bearer())
        resp = self.client.post(RESET, data={"csrf_token": csrf, "project": P, "junk": "1"})
        self.assertEqual(400, resp.status_code)
        self.assertEqual((3, True), self.limits()["dash_intree.cores"])
        resp = self.client.post(RESET, data={"csrf_token": "bad", "project": P})
        self.assertEqual(403, resp.status_code)
        resp = self.client.post(RESET, data={"csrf_token": csrf, "project": P})
        self.assertEqual(303, resp.status_code)
        limits = self.limits()
        self.assertEqual((20, False), limits["dash_intree.cores"])
        self.assertEqual((4, True), limits["dash_outoftree.cores"])  # another plugin's: kept


class TestReadOnlyForms(base.DashboardTestCase):
    token = None

    def test_writes_are_refused(self):
        self.client.get("/")
        for url in (SAVE, RESET):
            resp = self.client.post(url, data={"project": P, "limit:dash_intree.cores": "3", "csrf_token": ""})
            self.assertEqual(403, resp.status_code)
            self.assertIn("read-only", resp.get_data(as_text=True))
        self.assertEqual((20, False), self.limits()["dash_intree.cores"])
