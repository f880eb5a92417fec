"""``plugfair dashboard`` and the waitress server."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from typing import Any

import fixtures
import testtools

from plugfair.dashboard import commands, serve
from plugfair.tests.dashboard import base

_MAIN = "import sys; from plugfair.cli.main import main; sys.exit(main())"


class TestCommand(base.DashboardTestCase):
    def start(self, *args):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([self.dists.path, env.get("PYTHONPATH", "")])
        proc = subprocess.Popen(
            [sys.executable, "-c", _MAIN, "--config-file", self.conf_file, "dashboard", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.addCleanup(self._stop, proc)
        return proc

    def _stop(self, proc):
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()

    def first_line(self, proc):
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(proc.stdout.readline()), daemon=True).start()
        try:
            return lines.get(timeout=60)
        except queue.Empty:
            self.fail("plugfair dashboard printed nothing")

    def test_serves_the_dashboard_on_loopback(self):
        proc = self.start("--port", "0")
        line = self.first_line(proc)
        self.assertIn("editing with the admin token", line)
        url = line.split(" on ")[1].split()[0]
        self.assertTrue(url.startswith("http://127.0.0.1:"), url)
        with urllib.request.urlopen(url + "api/v1/quotas?project=p", timeout=30) as resp:
            data = json.load(resp)
            self.assertEqual("nosniff", resp.headers["X-Content-Type-Options"])
        self.assertIn("dash_intree", [p["name"] for p in data["plugins"]])
        with urllib.request.urlopen(url, timeout=30) as resp:
            self.assertIn("Limit Summary", resp.read().decode())
        # waitress refuses an oversized body before the app sees it
        request = urllib.request.Request(
            url + "api/v1/quotas?project=p",
            data=b"x" * 200_000,
            method="PATCH",
            headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
        )
        with self.assertRaises(urllib.error.HTTPError) as ctx:
            urllib.request.urlopen(request, timeout=30)
        error: Any = ctx.exception
        self.assertEqual(413, error.code)
        error.close()
        proc.send_signal(signal.SIGINT)
        self.assertEqual(0, proc.wait(timeout=30))

    def test_warns_on_a_non_loopback_address_without_token(self):
        # 192.0.2.1 (TEST-NET-1) is not on this machine: the warning is
        # printed, then binding fails cleanly; nothing ever listens.
        self.conf_file = self._conf_without_token()
        proc = self.start("--host", "192.0.2.1", "--port", "0")
        _, err = proc.communicate(timeout=60)
        self.assertNotEqual(0, proc.returncode)
        self.assertIn("Warning: the dashboard listens on 192.0.2.1", err)
        self.assertIn("Cannot serve the dashboard on 192.0.2.1", err)
        self.assertNotIn("Traceback", err)

    def test_no_warning_with_token(self):
        proc = self.start("--host", "192.0.2.1", "--port", "0")
        _, err = proc.communicate(timeout=60)
        self.assertNotEqual(0, proc.returncode)
        self.assertNotIn("Warning", err)
        self.assertIn("Cannot serve", err)

    def test_bad_port(self):
        proc = self.start("--port", "70000")
        _, err = proc.communicate(timeout=60)
        self.assertEqual(2, proc.returncode, err)
        self.assertIn("not between 0 and 65535", err)

    def _conf_without_token(self):
        from plugfair.tests.dashboard import fixtures as df

        return df.write_conf(self.work, token=None, enabled=self.plugins)


class TestPortArgument(testtools.TestCase):
    def test_parse(self):
        self.assertEqual(0, commands._port("0"))
        self.assertEqual(65535, commands._port("65535"))
        for bad in ("-1", "65536", "http", "", "1.5"):
            self.assertRaises(argparse.ArgumentTypeError, commands._port, bad)


class TestBackgroundServer(base.DashboardTestCase):
    def setUp(self):
        super().setUp()
        self.server = serve.BackgroundServer(self.app, max_request_bytes=65536).start()
        self.addCleanup(self.server.stop)
        host, port = self.server.url[len("http://"):].split(":")
        self.host, self.port = host, int(port)

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def test_limits_through_waitress(self):
        status, headers, body = self.request(
            "PATCH",
            "/api/v1/quotas?project=p",
            json.dumps({"limits": {"dash_intree.cores": 8}}),
            {"Content-Type": "application/json", **self.bearer()},
        )
        self.assertEqual(200, status, body)
        self.assertEqual((8, True), self.limits("p")["dash_intree.cores"])

    def test_oversized_body_and_headers(self):
        status, _, _ = self.request(
            "PATCH", "/api/v1/quotas?project=p", b"x" * 100_000, {"Content-Type": "application/json"}
        )
        self.assertEqual(413, status)
        status, _, _ = self.request("GET", "/", headers={"X-Big": "y" * 40_000})
        self.assertEqual(431, status)
        status, _, _ = self.request("GET", "/?project=p")
        self.assertEqual(200, status)


class TestWsgiEntryPoint(base.DashboardTestCase):
    def test_create_wsgi_app_from_config(self):
        from plugfair.dashboard.wsgi import create_wsgi_app

        self.useFixture(fixtures.EnvironmentVariable("PLUGFAIR_CONFIG_FILE", self.conf_file))
        app = create_wsgi_app()
        client = app.test_client()
        data = client.get("/api/v1/quotas?project=p").get_json()
        self.assertEqual(
            ["dash_hostile", "dash_intree", "dash_outoftree", "dash_unknown"],
            [p["name"] for p in data["plugins"]],
        )
        resp = client.patch(
            "/api/v1/quotas?project=p", json={"limits": {"dash_intree.cores": 2}}, headers=self.bearer()
        )
        self.assertEqual(200, resp.status_code)
        self.assertEqual((2, True), self.limits("p")["dash_intree.cores"])

    def test_missing_config_file(self):
        from plugfair.dashboard.wsgi import create_wsgi_app
        from plugfair.interface.errors import ConfigError

        self.assertRaises(ConfigError, create_wsgi_app, ["/nonexistent/plugfair.conf"])
