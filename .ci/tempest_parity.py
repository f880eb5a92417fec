"""Run the same Tempest tests through ``tempest run`` and ``plugfair run``.

Against the real Keystone that ``.ci/keystone.sh`` started (identity only),
with one configuration and one regex, it runs Tempest's own identity API
tests and keystone-tempest-plugin's API tests twice:

1. ``tempest run --subunit`` in a ``tempest init`` workspace whose
   ``etc/tempest.conf`` is written below;
2. ``plugfair run --subunit`` in a plugfair workspace whose
   ``plugfair.conf`` holds the same settings in plugfair's groups
   (``[tempest_identity] uri_v3``...), from which the bridge writes the
   tempest.conf itself.

The sets of passed, failed and skipped test ids must be equal (plugfair's
own contract tests left out).  A third, smaller run uses the tempest.conf
as is, through ``[tempest_bridge] config_file``.  It prints the counts and
exits 1 on any difference.

Usage: python .ci/tempest_parity.py WORKDIR   (PLUGFAIR_TEST_KEYSTONE_URL set)
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import uuid

import subunit
import testtools

REGEX = r"^(tempest\.api\.identity|keystone_tempest_plugin\.tests\.api)\."
SMALL_REGEX = r"^tempest\.api\.identity\.v3\."

#: (Tempest group, option, value): one configuration for both runs.
SETTINGS = [
    ("auth", "use_dynamic_credentials", "true"),
    ("auth", "admin_username", "admin"),
    ("auth", "admin_password", os.environ.get("PLUGFAIR_TEST_KEYSTONE_PASSWORD", "s3cret")),
    ("auth", "admin_project_name", "admin"),
    ("auth", "admin_domain_name", "Default"),
    ("auth", "admin_system", "all"),
    ("identity", "uri_v3", os.environ.get("PLUGFAIR_TEST_KEYSTONE_URL", "")),
    ("identity", "region", "RegionOne"),
    ("identity", "disable_ssl_certificate_validation", "true"),
] + [
    ("service_available", service, "false")
    for service in ("nova", "cinder", "neutron", "glance", "swift", "placement")
]


def tempest_conf() -> str:
    sections: dict[str, list[str]] = {}
    for group, option, value in SETTINGS:
        sections.setdefault(group, []).append("%s = %s" % (option, value))
    return "".join("[%s]\n%s\n\n" % (g, "\n".join(lines)) for g, lines in sections.items())


def plugfair_conf() -> str:
    sections: dict[str, list[str]] = {}
    for group, option, value in SETTINGS:
        sections.setdefault("tempest_" + group, []).append("%s = %s" % (option, value))
    return "".join("[%s]\n%s\n\n" % (g, "\n".join(lines)) for g, lines in sections.items())


def outcomes(stream: bytes) -> dict[str, str]:
    found: dict[str, str] = {}

    def on_test(test: dict) -> None:
        if test["status"] not in ("exists", "inprogress"):
            found[test["id"]] = test["status"]

    summary = testtools.StreamToDict(on_test)
    summary.startTestRun()
    subunit.ByteStreamToStreamResult(io.BytesIO(stream)).run(summary)
    summary.stopTestRun()
    return {t: s for t, s in found.items() if not t.startswith("plugfair.contract.")}


def run(cmd: list[str], cwd: str, log: str) -> bytes:
    with open(log, "wb") as err:
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=err, check=False)
    return proc.stdout


def compare(label: str, theirs: dict[str, str], ours: dict[str, str]) -> bool:
    def by(status_set: set[str], found: dict[str, str]) -> set[str]:
        return {t for t, s in found.items() if s in status_set}

    ok = True
    print("%s: tempest run %d tests, plugfair run %d tests" % (label, len(theirs), len(ours)))
    for name, statuses in (("passed", {"success"}), ("failed", {"fail"}), ("skipped", {"skip"})):
        a, b = by(statuses, theirs), by(statuses, ours)
        print("  %-8s tempest %4d  plugfair %4d  %s" % (name, len(a), len(b), "same" if a == b else "DIFFERENT"))
        if a != b:
            ok = False
            for t in sorted(a - b)[:10]:
                print("    only in tempest run:  %s" % t)
            for t in sorted(b - a)[:10]:
                print("    only in plugfair run: %s" % t)
    if not theirs:
        print("  no test ran: nothing was compared")
        ok = False
    return ok


def main(work: str) -> int:
    if not os.environ.get("PLUGFAIR_TEST_KEYSTONE_URL"):
        print("PLUGFAIR_TEST_KEYSTONE_URL is not set: start .ci/keystone.sh first")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    bindir = os.path.dirname(sys.executable)
    tempest, plugfair = os.path.join(bindir, "tempest"), os.path.join(bindir, "plugfair")
    conf_path = os.path.join(work, "tempest.conf")
    with open(conf_path, "w", encoding="utf-8") as f:
        f.write(tempest_conf())

    tw = os.path.join(work, "tempest-ws")
    # a unique name: tempest keeps a registry of workspace names
    name = "plugfair-parity-%s" % uuid.uuid4().hex[:12]
    subprocess.run([tempest, "init", "--name", name, tw], check=True, capture_output=True)
    shutil.copy(conf_path, os.path.join(tw, "etc", "tempest.conf"))
    theirs = outcomes(run([tempest, "run", "--regex", REGEX, "--subunit", "--concurrency", "2"],
                          tw, os.path.join(work, "tempest-run.log")))

    pw = os.path.join(work, "plugfair-ws")
    subprocess.run([plugfair, "workspace", "init", pw], check=True, capture_output=True)
    with open(os.path.join(pw, "plugfair.conf"), "a", encoding="utf-8") as f:
        f.write("\n" + plugfair_conf())
    ours = outcomes(run([plugfair, "run", "--workspace", pw, "--regex", REGEX, "--subunit",
                         "--concurrency", "2"], pw, os.path.join(work, "plugfair-run.log")))
    ok = compare("generated tempest.conf, %s" % REGEX, theirs, ours)

    # class fixtures that skip show as "setUpClass (pkg.mod.Class)"
    small = {t: s for t, s in theirs.items() if re.search(SMALL_REGEX.lstrip("^"), t)}
    given = os.path.join(work, "plugfair-given")
    subprocess.run([plugfair, "workspace", "init", given], check=True, capture_output=True)
    with open(os.path.join(given, "plugfair.conf"), "a", encoding="utf-8") as f:
        f.write("\n[tempest_bridge]\nconfig_file = %s\n" % conf_path)
    given_ours = outcomes(run([plugfair, "run", "--workspace", given, "--regex", SMALL_REGEX,
                               "--subunit", "--concurrency", "2"], given,
                              os.path.join(work, "plugfair-given.log")))
    ok = compare("[tempest_bridge] config_file, %s" % SMALL_REGEX, small, given_ours) and ok
    print("parity: %s (%d test ids compared)" % ("same results" if ok else "DIFFERENT",
                                                len(theirs) + len(small)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".ci-cache/tempest-parity"))
