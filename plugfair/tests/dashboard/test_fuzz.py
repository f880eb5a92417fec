"""Random payloads against the JSON API and the forms (hypothesis).

Whatever arrives, the dashboard answers 2xx, 3xx or 4xx, never 5xx; a
refused write changes nothing; an accepted one writes exactly what was
asked.  ``PLUGFAIR_FUZZ_EXAMPLES`` sets the number of examples per
property (60 by default).
"""

from __future__ import annotations

import json
import os
import urllib.parse

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from plugfair.interface.errors import PlugfairError, QuotaError
from plugfair.interface.quota import validate_limit
from plugfair.tests.dashboard import base

P = base.PROJECT
KEYS = [
    "dash_intree.cores",
    "dash_intree.instances",
    "dash_outoftree.ram",
    "dash_hostile.things",
    "dash_unknown.widgets",
]

#: Examples per property; raise it for a deeper run.
EXAMPLES = int(os.environ.get("PLUGFAIR_FUZZ_EXAMPLES", "60"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.integers(min_value=-2, max_value=100),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.from_regex(r"\A[+-]?[0-9]{1,12}\Z"),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
keys = st.one_of(
    st.sampled_from(KEYS),
    st.sampled_from(["dash_broken.x", "nope.cores", "dash_intree.nope", "nodot", "", "."]),
    st.text(max_size=30),
)
limit_maps = st.dictionaries(keys, json_scalars, max_size=6)


def expected_outcome(limits: object) -> dict[str, int] | None:
    """What a valid request sets, or ``None`` if it must be refused."""
    if not isinstance(limits, dict) or not limits:
        return None
    out = {}
    for key, value in limits.items():
        if key not in KEYS or isinstance(value, bool) or not isinstance(value, (int, str)):
            return None
        try:
            out[key] = validate_limit(value)
        except QuotaError:
            return None
    return out


class TestFuzzApi(base.DashboardTestCase):
    def check(self, resp, before, expected):
        self.assertLess(resp.status_code, 500, resp.get_data(as_text=True)[:500])
        self.assertEqual("application/json", resp.mimetype)
        after = self.limits()
        if resp.status_code == 200:
            self.assertIsNotNone(expected, "accepted a bad request")
            for key, value in expected.items():
                self.assertEqual(value, after[key][0], key)
                self.assertTrue(after[key][1])
            untouched = {k: v for k, v in before.items() if k not in expected}
            self.assertEqual(untouched, {k: after[k] for k in untouched})
        else:
            self.assertIn(resp.status_code // 100, (4,))
            self.assertIn("message", resp.get_json()["error"])
            self.assertEqual(before, after, "a refused write changed the store")

    @FUZZ
    @given(limits=limit_maps)
    def test_limit_maps(self, limits):
        before = self.limits()
        resp = self.client.patch("/api/v1/quotas?project=%s" % P, json={"limits": limits}, headers=self.bearer())
        self.check(resp, before, expected_outcome(limits))
        if resp.status_code != 200:
            self.assertIsNone(expected_outcome(limits), limits)

    @FUZZ
    @given(body=json_values)
    def test_any_json(self, body):
        before = self.limits()
        resp = self.client.patch("/api/v1/quotas?project=%s" % P, json=body, headers=self.bearer())
        expected = None
        if isinstance(body, dict) and set(body) == {"limits"}:
            expected = expected_outcome(body["limits"])
        self.check(resp, before, expected)

    @FUZZ
    @given(raw=st.binary(max_size=300), ctype=st.sampled_from(["application/json", "text/plain", "", "application/json; charset=latin-1"]))
    def test_any_bytes(self, raw, ctype):
        before = self.limits()
        headers = dict(self.bearer())
        if ctype:
            headers["Content-Type"] = ctype
        resp = self.client.patch("/api/v1/quotas?project=%s" % P, data=raw, headers=headers)
        expected = None
        try:
            body = json.loads(raw)
            if isinstance(body, dict) and set(body) == {"limits"}:
                expected = expected_outcome(body["limits"])
        except ValueError:
            pass
        self.check(resp, before, expected)

    @FUZZ
    @given(query=st.dictionaries(st.sampled_from(["project", "plugin", "key", "x"]), st.text(max_size=80), max_size=3),
           method=st.sampled_from(["GET", "PATCH", "DELETE"]))
    def test_any_query(self, query, method):
        before = self.limits()
        url = "/api/v1/quotas?" + urllib.parse.urlencode(query)
        resp = self.client.open(url, method=method, json={"limits": {"dash_intree.cores": 1}}, headers=self.bearer())
        self.assertLess(resp.status_code, 500, resp.get_data(as_text=True)[:500])
        self.assertIn(resp.status_code // 100, (2, 4))
        if resp.status_code == 200 and method != "GET":
            project = query["project"].strip()
            if method == "PATCH":
                self.assertEqual((1, True), self.limits(project)["dash_intree.cores"])
            self.service.delete(project)
        else:
            self.assertEqual(before, self.limits())


class TestFuzzForms(base.DashboardTestCase):
    def setUp(self):
        super().setUp()
        self.csrf = self.login()

    @FUZZ
    @given(
        fields=st.lists(
            st.tuples(
                st.one_of(
                    st.sampled_from(["limit:" + k for k in KEYS[:2]] + ["limit:dash_intree.ram", "limit:x", "project", "csrf_token", "other"]),
                    st.text(max_size=20),
                ),
                st.one_of(st.text(max_size=20), st.from_regex(r"\A-?[0-9]{1,11}\Z")),
            ),
            max_size=6,
        ),
        with_csrf=st.booleans(),
    )
    def test_save_form(self, fields, with_csrf):
        before = self.limits()
        data = MultiDict(fields)
        if with_csrf and "csrf_token" not in data:
            data.add("csrf_token", self.csrf)
        if "project" not in data:
            data.add("project", P)
        resp = self.client.post("/plugins/dash_intree/limits", data=data)
        self.assertLess(resp.status_code, 500, resp.get_data(as_text=True)[:500])
        project = (data.get("project") or "").strip()
        if resp.status_code == 303:
            self.assertEqual(self.csrf, data.get("csrf_token"))
            after = self.limits(project)
            for field, value in data.items(multi=True):
                if field.startswith("limit:"):
                    self.assertEqual(validate_limit(value), after[field[6:]][0])
            self.service.delete(project)
        else:
            self.assertIn(resp.status_code, (400, 403, 404, 413))
            self.assertEqual(before, self.limits())
            self.assertEqual(set(), self.overridden(project))

    def overridden(self, project):
        """Keys with an own limit in ``project`` (none if it is invalid)."""
        try:
            rows = self.service.show(project)
        except PlugfairError:
            return set()
        return {r.key for r in rows if r.overridden}

    @FUZZ
    @given(fields=st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=4))
    def test_login_form(self, fields):
        resp = self.app.test_client().post("/login", data=fields)
        self.assertIn(resp.status_code, (401, 403))
