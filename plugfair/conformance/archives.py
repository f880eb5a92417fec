"""Wheels and sdists as targets, read in place with zipfile/tarfile.

Nothing is installed.  The dynamic checks need the files on disk, so an
archive is extracted to a temporary directory on first use (regular files
only, never outside that directory) and removed when the check is done.
"""

from __future__ import annotations

import os
import tarfile
import tempfile
import zipfile
from collections.abc import Callable

from plugfair.conformance.targets import (
    MAX_FILE_BYTES,
    SourceFile,
    Target,
    TargetError,
    entry_points_ini,
    metadata_name,
    module_names,
    own_roots,
    project_metadata,
)

__all__ = ["from_archive"]


class _Archive:
    """Uniform read access to the members of a zip or tar archive."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.tar: tarfile.TarFile | None = None
        try:
            if zipfile.is_zipfile(path):
                self.zip = zipfile.ZipFile(path)
                self.names = [n for n in self.zip.namelist() if not n.endswith("/")]
            else:
                self.tar = tarfile.open(path)
                self.members = {m.name: m for m in self.tar.getmembers() if m.isfile()}
                self.names = list(self.members)
        except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError) as exc:
            raise TargetError(
                "Cannot read the archive %s: %s. Give a wheel (.whl) or an sdist "
                "(.tar.gz or .zip)." % (path, exc)
            ) from None

    def read(self, name: str) -> bytes:
        if self.zip is not None:
            info = self.zip.getinfo(name)
            if info.file_size > MAX_FILE_BYTES:
                raise ValueError("member larger than %d bytes" % MAX_FILE_BYTES)
            return self.zip.read(name)
        assert self.tar is not None
        member = self.members[name]
        if member.size > MAX_FILE_BYTES:
            raise ValueError("member larger than %d bytes" % MAX_FILE_BYTES)
        f = self.tar.extractfile(member)
        return f.read() if f is not None else b""

    def text(self, name: str) -> str | None:
        try:
            return self.read(name).decode("utf-8", "replace")
        except (KeyError, ValueError, OSError, tarfile.TarError, zipfile.BadZipFile):
            return None

    def extract(self, dest: str) -> None:
        """Extract regular files only, refusing paths that leave ``dest``."""
        base = os.path.realpath(dest)
        for name in self.names:
            target = os.path.realpath(os.path.join(base, name))
            if not target.startswith(base + os.sep):
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            try:
                data = self.read(name)
            except (ValueError, OSError, tarfile.TarError, zipfile.BadZipFile):
                continue
            with open(target, "wb") as f:
                f.write(data)

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()
        if self.tar is not None:
            self.tar.close()


def from_archive(path: str, *, group: str | None, label: str | None = None) -> Target:
    """A wheel or sdist, read without installing or extracting it."""
    archive = _Archive(path)
    is_wheel = path.endswith(".whl")
    names = archive.names
    prefix = ""
    if not is_wheel:
        tops = {n.split("/", 1)[0] for n in names}
        if len(tops) == 1 and all("/" in n for n in names):
            prefix = tops.pop() + "/"
    rel_of = {n: n[len(prefix):] for n in names if n.startswith(prefix)}
    dist, eps = (_wheel_metadata if is_wheel else _sdist_metadata)(archive, rel_of, prefix, group)
    py = sorted(
        (name, rel)
        for name, rel in rel_of.items()
        if rel.endswith(".py") and not any(
            part.endswith(".egg-info") or part == "__pycache__" for part in rel.split("/")
        )
    )
    modules = module_names(rel for _, rel in py)
    own, parents = own_roots(modules)

    def reader(member: str) -> Callable[[], bytes]:
        return lambda: archive.read(member)

    files = [
        SourceFile(path="%s/%s" % (path, name), relpath=rel, module=modules[rel], reader=reader(name))
        for name, rel in py
    ]
    target = Target(
        label=label or path,
        kind="wheel" if is_wheel else "sdist",
        files=files,
        own=own,
        distribution=dist,
        entry_points=eps,
    )
    target.import_path = _extracting(archive, target, prefix, parents)
    target.cleanups.append(archive.close)
    return target


Metadata = tuple[str | None, list[tuple[str, str]]]


def _wheel_metadata(archive: _Archive, rel_of: dict[str, str], prefix: str, group: str | None) -> Metadata:
    """Name and entry points from a wheel's ``*.dist-info``."""
    dist: str | None = None
    eps: list[tuple[str, str]] = []
    for name, rel in rel_of.items():
        parts = rel.split("/")
        if len(parts) == 2 and parts[0].endswith(".dist-info"):
            if parts[1] == "METADATA":
                dist = metadata_name(archive.text(name) or "")
            elif parts[1] == "entry_points.txt":
                eps = entry_points_ini(archive.text(name) or "", group)
    return dist, eps


def _sdist_metadata(archive: _Archive, rel_of: dict[str, str], prefix: str, group: str | None) -> Metadata:
    """Name and entry points from an sdist's project files, else from an
    ``*.egg-info`` in it."""
    dist, eps = project_metadata(lambda rel: archive.text(prefix + rel) if prefix + rel in rel_of else None, group)
    for name, rel in rel_of.items() if not eps else ():
        if rel.endswith(".egg-info/entry_points.txt") and rel.count("/") <= 2:
            return dist, entry_points_ini(archive.text(name) or "", group)
    return dist, eps


def _extracting(archive: _Archive, target: Target, prefix: str, parents: list[str]) -> Callable[[], list[str]]:
    """The target's import path: the archive, extracted on first use."""
    extracted: list[str] = []

    def import_path() -> list[str]:
        if not extracted:
            tmp = tempfile.mkdtemp(prefix="plugfair-check-")
            archive.extract(tmp)
            extracted.append(tmp)
            target.cleanups.append(lambda: _rmtree(tmp))
        base = os.path.join(extracted[0], prefix.rstrip("/")) if prefix else extracted[0]
        return [os.path.join(base, *p.split("/")) if p else base for p in parents] or [base]

    return import_path


def _rmtree(path: str) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
