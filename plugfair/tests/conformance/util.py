"""Helpers for the conformance tests: source trees, wheels and sdists."""

from __future__ import annotations

import io
import os
import tarfile
import textwrap
import zipfile
from collections.abc import Mapping

from plugfair.conformance import analyzer, hostscan, profiles


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
