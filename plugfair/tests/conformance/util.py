"""Helpers for the conformance tests: source trees, wheels and sdists."""

from __future__ import annotations

import importlib
import io
import os
import sys
import tarfile
import textwrap
import zipfile
from collections.abc import Mapping, Sequence

import fixtures

from plugfair.conformance import analyzer, hostscan, profiles
from plugfair.interface.testing import write_distribution


def write_tree(root: str, files: Mapping[str, str]) -> str:
    """Write ``relpath -> source`` under ``root``; return ``root``."""
    for rel, text in files.items():
        path = os.path.join(root, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text))
    return root


def build_wheel(directory: str, name: str, version: str, files: Mapping[str, str], entry_points: str = "") -> str:
    """Write a wheel holding ``files`` (and a dist-info); return its path."""
    norm = name.replace("-", "_")
    path = os.path.join(directory, "%s-%s-py3-none-any.whl" % (norm, version))
    info = "%s-%s.dist-info" % (norm, version)
    with zipfile.ZipFile(path, "w") as zf:
        for rel, text in files.items():
            zf.writestr(rel, textwrap.dedent(text))
        zf.writestr(info + "/METADATA", "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version))
        zf.writestr(info + "/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        if entry_points:
            zf.writestr(info + "/entry_points.txt", textwrap.dedent(entry_points))
        zf.writestr(info + "/RECORD", "")
    return path


def build_sdist(directory: str, name: str, version: str, files: Mapping[str, str]) -> str:
    """Write a .tar.gz sdist with a ``name-version/`` top directory."""
    top = "%s-%s" % (name, version)
    path = os.path.join(directory, top + ".tar.gz")
    with tarfile.open(path, "w:gz") as tf:
        members = dict(files)
        members.setdefault("PKG-INFO", "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version))
        for rel, text in members.items():
            data = textwrap.dedent(text).encode("utf-8")
            info = tarfile.TarInfo("%s/%s" % (top, rel))
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def check(source: str, *, profile: str = "plugfair", own=("myplugin",), others=None, module="myplugin.mod", prof=None):
    """Run the static checks over one snippet; return the violations."""
    if prof is None:
        prof = profiles.load(profile)
        hostscan.scan(prof)
    ctx = analyzer.Context(prof, own=own, others=others or {})
    return analyzer.check_source(
        ctx,
        textwrap.dedent(source).encode("utf-8"),
        path="myplugin/mod.py",
        relpath="myplugin/mod.py",
        module=module,
    )


def codes(violations) -> list[tuple[str, int]]:
    """``(code, line)`` of each violation, in order."""
    return [(v.code, v.line) for v in violations]


class Distributions(fixtures.Fixture):
    """Distributions whose entry points may be in any group, on ``sys.path``.

    :param dists: ``(name, modules, entry points by group)`` each;
        group ``plugfair.plugins`` makes plugfair plugins.
    """

    def __init__(self, dists: Sequence[tuple[str, Mapping[str, str], Mapping[str, Mapping[str, str]]]]) -> None:
        super().__init__()
        self.dists = list(dists)
        self.path = ""

    def _setUp(self) -> None:
        self.path = self.useFixture(fixtures.TempDir()).path
        for name, modules, groups in self.dists:
            plugins = groups.get("plugfair.plugins", {})
            extra = {g: eps for g, eps in groups.items() if g != "plugfair.plugins"}
            write_distribution(self.path, name, "1.0.0", plugins, modules, extra_entry_points=extra)
        sys.path.insert(0, self.path)
        self.addCleanup(self._forget)
        importlib.invalidate_caches()

    def _forget(self) -> None:
        while self.path in sys.path:
            sys.path.remove(self.path)
        prefix = os.path.join(self.path, "")
        for name, module in list(sys.modules.items()):
            if (getattr(module, "__file__", None) or "").startswith(prefix):
                del sys.modules[name]
        importlib.invalidate_caches()

    def write(self, dotted: str, source: str) -> None:
        """Replace the source of module ``dotted`` (a plain module)."""
        path = os.path.join(self.path, *dotted.split(".")) + ".py"
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(source))
