"""Benchmark and cross-check ``plugfair check --profile tempest`` on real plugins.

Downloads published ``*-tempest-plugin`` distributions from PyPI into
``bench/.cache/`` (once; ``pip download --no-deps``), extracts them, then in
the same run:

1. times ``plugfair check --profile tempest`` over the extracted trees and
   ``flake8 --select=F401`` (a peer AST tool) over the same files, best of
   N runs each, and reports files per second, totals and the ratio;
2. times the checker reading the archives directly (no extraction);
3. cross-checks the checker's PF001 import findings against an independent
   regular-expression scan of the same files and an independent copy of
   Tempest 47's stable-module list, and prints both sets' differences.

The checker runs with ``--static-only``: what is measured is the static
checks, and the downloaded code is never run.

Usage: python bench/check_corpus.py [--runs N] [--offline] [--json FILE]
flake8 must be installed for step 1 (``pip install flake8``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, ".cache", "tempest-plugins")
DOWNLOADS = os.path.join(CACHE, "dist")
TREES = os.path.join(CACHE, "trees")

#: Published Tempest plugins (names as on PyPI).  Missing ones are skipped.
PLUGINS = [
    "barbican-tempest-plugin",
    "blazar-tempest-plugin",
    "cinder-tempest-plugin",
    "cloudkitty-tempest-plugin",
    "congress-tempest-plugin",
    "cyborg-tempest-plugin",
    "designate-tempest-plugin",
    "ec2api-tempest-plugin",
    "freezer-tempest-plugin",
    "glance-tempest-plugin",
    "heat-tempest-plugin",
    "ironic-tempest-plugin",
    "keystone-tempest-plugin",
    "kuryr-tempest-plugin",
    "magnum-tempest-plugin",
    "manila-tempest-plugin",
    "masakari-tempest-plugin",
    "mistral-tempest-tests",
    "monasca-tempest-plugin",
    "murano-tempest-plugin",
    "neutron-tempest-plugin",
    "octavia-tempest-plugin",
    "sahara-tempest-plugin",
    "senlin-tempest-plugin",
    "solum-tempest-plugin",
    "telemetry-tempest-plugin",
    "trove-tempest-plugin",
    "venus-tempest-plugin",
    "vitrage-tempest-plugin",
    "watcher-tempest-plugin",
    "whitebox-tempest-plugin",
    "zaqar-tempest-plugin",
    "zun-tempest-plugin",
]

# An independent copy of the list in Tempest 47's doc/source/plugins/plugin.rst
# ("Stable Tempest APIs plugins may use"); the checker reads its own copy
# from plugfair/conformance/profiles/tempest.json.
STABLE_EXACT = [
    "tempest.config",
    "tempest.test_discover.plugins",
    "tempest.common.credentials_factory",
    "tempest.common.compute",
    "tempest.common.identity",
    "tempest.common.image",
    "tempest.common.object_storage",
    "tempest.clients",
    "tempest.test",
    "tempest.scenario.manager",
]
STABLE_TREES = ["tempest.lib"]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def download(offline: bool) -> list[str]:
    """Return one archive per available plugin, downloading what is missing."""
    os.makedirs(DOWNLOADS, exist_ok=True)
    found = []
    for name in PLUGINS:
        have = [f for f in sorted(os.listdir(DOWNLOADS)) if _norm(f).startswith(_norm(name) + "_")]
        if not have and not offline:
            proc = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", DOWNLOADS, name],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                print("  skip %s: not downloadable (%s)" % (name, (proc.stderr.strip().splitlines() or ["?"])[-1]))
                continue
            have = [f for f in sorted(os.listdir(DOWNLOADS)) if _norm(f).startswith(_norm(name) + "_")]
        if have:
            wheels = [f for f in have if f.endswith(".whl")]
            found.append(os.path.join(DOWNLOADS, (wheels or have)[-1]))
        else:
            print("  skip %s: not in the cache (offline)" % name)
    return found


def extract(archive: str) -> str:
    """Extract ``archive`` once; return the directory."""
    base = os.path.basename(archive)
    for suffix in (".whl", ".tar.gz", ".zip"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    dest = os.path.join(TREES, base)
    if os.path.isdir(dest):
        return dest
    tmp = dest + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                target = os.path.realpath(os.path.join(tmp, name))
                if target.startswith(os.path.realpath(tmp) + os.sep) and not name.endswith("/"):
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "wb") as f:
                        f.write(zf.read(name))
    else:
        with tarfile.open(archive) as tf:
            if hasattr(tarfile, "data_filter"):
                tf.extractall(tmp, filter="data")
            else:  # pragma: no cover - older Pythons
                tf.extractall(tmp, [m for m in tf.getmembers() if m.isfile() and ".." not in m.name])
    os.rename(tmp, dest)
    return dest


def py_files(trees: list[str]) -> list[str]:
    out = []
    for tree in trees:
        for dirpath, dirnames, filenames in os.walk(tree):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__"
                                 and not d.endswith(".egg-info"))
            out.extend(os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(".py"))
    return out


def best_of(runs: int, argv: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    best = float("inf")
    proc = None
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        best = min(best, time.perf_counter() - start)
    assert proc is not None
    return best, proc


# -- the independent cross-check -------------------------------------------

_IMPORT = re.compile(r"^[ \t]*import[ \t]+(.+)$")
_FROM = re.compile(r"^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+(.+)$")
_DYNAMIC = re.compile(r"(?:import_module|__import__)\(\s*['\"](tempest(?:\.[\w.]+)?)['\"]")


def _stable(name: str, star: bool = False) -> bool:
    if any(name == t or name.startswith(t + ".") for t in STABLE_TREES):
        return True
    if any(name == m or name.startswith(m + ".") for m in STABLE_EXACT):
        return True
    # A package above a stable module may be imported to reach it, but
    # "from package import *" takes the package's own names.
    return not star and any(m.startswith(name + ".") for m in STABLE_EXACT + STABLE_TREES)


def regex_imports(path: str) -> list[tuple[int, str, bool]]:
    """``(line, dotted name, star)`` of every tempest import in a file, by regex."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    found: list[tuple[int, str, bool]] = []
    i = 0
    while i < len(lines):
        line = lines[i].split("#", 1)[0]
        start = i
        m = _FROM.match(line)
        if m:
            names = m.group(2)
            while (names.count("(") > names.count(")") or names.rstrip().endswith("\\")) and i + 1 < len(lines):
                i += 1
                names = names.rstrip().rstrip("\\") + " " + lines[i].split("#", 1)[0]
            module = m.group(1)
            if module == "tempest" or module.startswith("tempest."):
                for item in names.replace("(", " ").replace(")", " ").split(","):
                    word = item.strip().split(" as ")[0].strip()
                    if word == "*":
                        found.append((start + 1, module, True))
                    elif word:
                        found.append((start + 1, module + "." + word, False))
        else:
            m = _IMPORT.match(line)
            if m:
                for item in m.group(1).split(","):
                    word = item.strip().split(" as ")[0].strip()
                    if word == "tempest" or word.startswith("tempest."):
                        found.append((start + 1, word, False))
        for d in _DYNAMIC.finditer(line):
            found.append((start + 1, d.group(1), False))
        i += 1
    return found


def cross_check(files: list[str], report: dict) -> dict:
    expected = set()
    total_imports = 0
    for path in files:
        for line, name, star in regex_imports(path):
            total_imports += 1
            if not _stable(name, star):
                expected.add((os.path.abspath(path), line, name))
    found = set()
    uses = 0
    parse_errors = 0
    for v in report["violations"]:
        if v["code"] == "PF000":
            parse_errors += 1
        if v["code"] != "PF001":
            continue
        if v["message"].startswith("Uses "):
            uses += 1
            continue
        found.add((os.path.abspath(v["path"]), v["line"], v["name"]))
    return {
        "tempest_imports_seen_by_regex": total_imports,
        "unstable_by_regex": len(expected),
        "pf001_import_findings": len(found),
        "pf001_use_findings_not_compared": uses,
        "both": len(expected & found),
        "regex_only": sorted(expected - found),
        "checker_only": sorted(found - expected),
        "unparsable_files": parse_errors,
    }


def _tool(name: str, *, required: bool = True) -> str | None:
    """The console script of this interpreter (not a slow shim), if any."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(beside):
        return beside
    found = shutil.which(name)
    if found is None and required:
        raise SystemExit("%s is not installed in this environment" % name)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Timed runs per tool; the best counts.")
    parser.add_argument("--offline", action="store_true", help="Use only what is in the cache.")
    parser.add_argument("--json", metavar="FILE", help="Also write the numbers to FILE.")
    args = parser.parse_args()

    print("corpus: downloading into %s" % DOWNLOADS)
    archives = download(args.offline)
    if not archives:
        print("no plugins available; nothing to measure")
        return 1
    trees = [extract(a) for a in archives]
    files = py_files(trees)
    size = sum(os.path.getsize(f) for f in files)
    print("corpus: %d plugins, %d Python files, %.1f MiB" % (len(trees), len(files), size / 2**20))
    print("machine: %d CPUs, load average %.1f (timings are best of %d runs)"
          % (os.cpu_count() or 1, os.getloadavg()[0], args.runs))

    plugfair = _tool("plugfair")
    assert plugfair is not None
    check_argv = [plugfair, "check", "--profile", "tempest", "--static-only", "--format", "json"] + trees
    t_check, proc = best_of(args.runs, check_argv)
    if proc.returncode not in (0, 1):
        print(proc.stderr)
        return 2
    report = json.loads(proc.stdout)
    t_archives, proc_a = best_of(args.runs, [plugfair, "check", "--profile", "tempest", "--static-only", "--format", "json"] + archives)
    archive_report = json.loads(proc_a.stdout)

    flake8 = _tool("flake8", required=False)
    t_flake8 = None
    if flake8:
        t_flake8, fproc = best_of(args.runs, [flake8, "--select=F401", "--exit-zero"] + trees)
        if fproc.returncode != 0:
            print(fproc.stderr)
    else:
        print("flake8 is not installed: 'pip install flake8' to time the baseline")

    counts: dict[str, int] = {}
    for v in report["violations"]:
        counts[v["code"]] = counts.get(v["code"], 0) + 1
    plugins_with_pf001 = len({v["target"] for v in report["violations"] if v["code"] == "PF001"})
    numbers = {
        "plugins": len(trees),
        "files": len(files),
        "check_seconds": round(t_check, 3),
        "check_files_per_second": round(len(files) / t_check, 1),
        "check_archives_seconds": round(t_archives, 3),
        "flake8_seconds": round(t_flake8, 3) if t_flake8 else None,
        "flake8_files_per_second": round(len(files) / t_flake8, 1) if t_flake8 else None,
        "ratio_check_to_flake8": round(t_check / t_flake8, 3) if t_flake8 else None,
        "violations_by_code": dict(sorted(counts.items())),
        "plugins_importing_unstable_modules": plugins_with_pf001,
        "archives_same_findings": len(archive_report["violations"]) == len(report["violations"]),
    }
    print("\nplugfair check --profile tempest: %.3f s, %.0f files/s (archives read directly: %.3f s)"
          % (t_check, len(files) / t_check, t_archives))
    if t_flake8:
        print("flake8 --select=F401:            %.3f s, %.0f files/s" % (t_flake8, len(files) / t_flake8))
        verdict = "OK" if t_check <= t_flake8 else "SLOWER than flake8"
        print("ratio check/flake8: %.3f (%s; target <= 1.0)" % (t_check / t_flake8, verdict))
    print("findings: %s" % ", ".join("%s=%d" % kv for kv in sorted(counts.items())))
    print("plugins importing unstable Tempest modules: %d of %d" % (plugins_with_pf001, len(trees)))
    print("same findings from archives and trees: %s" % numbers["archives_same_findings"])

    cc = cross_check(files, report)
    numbers["cross_check"] = {k: (len(v) if isinstance(v, list) else v) for k, v in cc.items()}
    print("\ncross-check against an independent regex scan:")
    print("  tempest imports seen by the regex: %d" % cc["tempest_imports_seen_by_regex"])
    print("  unstable by the regex: %d; PF001 import findings: %d; in both: %d"
          % (cc["unstable_by_regex"], cc["pf001_import_findings"], cc["both"]))
    print("  regex only: %d; checker only: %d; PF001 uses (not imports, not compared): %d; unparsable files: %d"
          % (len(cc["regex_only"]), len(cc["checker_only"]), cc["pf001_use_findings_not_compared"],
             cc["unparsable_files"]))
    for label in ("regex_only", "checker_only"):
        for path, line, name in cc[label][:20]:
            print("    %s: %s:%d %s" % (label, os.path.relpath(path, TREES), line, name))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(numbers, f, indent=2)
    return 0 if not cc["regex_only"] and not cc["checker_only"] else 1


if __name__ == "__main__":
    sys.exit(main())
