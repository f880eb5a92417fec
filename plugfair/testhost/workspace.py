"""Workspaces: a directory with its own stestr setup and configuration.

A workspace holds:

* ``.stestr.conf``: stestr's configuration, pointing ``test_path`` at the
  discovery package :mod:`plugfair.testhost.suite`, so plain ``stestr``
  commands (``stestr last``, ``stestr load``, ``stestr failing``) work in
  it too;
* ``.stestr/``: the stestr repository (runs and timing data);
* ``plugfair.conf``: the configuration ``plugfair run`` reads first.

``plugfair workspace init DIR`` creates one.  Without ``--workspace``,
``plugfair run`` uses the current directory when it is a workspace, and
otherwise the user's default workspace (:func:`default_path`), which it
creates on first use.
"""

from __future__ import annotations

import os
from typing import Any

from plugfair.interface.errors import PlugfairError, UsageError
from plugfair.interface.testids import GROUP_REGEX

__all__ = [
    "STESTR_CONF",
    "PLUGFAIR_CONF",
    "REPOSITORY",
    "Workspace",
    "suite_paths",
    "init_workspace",
    "default_path",
    "WORKSPACE_ENV",
]

STESTR_CONF = ".stestr.conf"
PLUGFAIR_CONF = "plugfair.conf"
REPOSITORY = ".stestr"

#: Environment variable naming the default workspace.
WORKSPACE_ENV = "PLUGFAIR_WORKSPACE"

_CONF_TEMPLATE = """\
# Configuration of this plugfair workspace.  'plugfair run' and
# 'plugfair list-tests' read it first, then every --config-file given on
# the command line (later files win).

[plugfair]
# Use only these plugins (empty: every installed plugin).
#enabled_plugins =
# Never use these plugins.
#disabled_plugins =

[plugfair_tests]
# Services the deployment under test provides (empty: every service an
# enabled plugin offers).
#available_services =
# Services it does not provide; tests that need them skip.
#unavailable_services =
"""


def suite_paths() -> tuple[str, str]:
    """``(test_path, top_dir)`` for stestr: the discovery package of this
    plugfair installation and the directory that holds ``plugfair``."""
    # Computed from the testhost package, without importing the suite
    # (which would import the whole discovery into the calling process).
    import plugfair.testhost as testhost

    test_path = os.path.join(os.path.dirname(os.path.abspath(testhost.__file__ or "")), "suite")
    top_dir = os.path.dirname(os.path.dirname(os.path.dirname(test_path)))
    return test_path, top_dir


def _stestr_conf_text() -> str:
    test_path, top_dir = suite_paths()
    return (
        "# Written by 'plugfair workspace init'.  'plugfair run' passes these\n"
        "# paths to stestr itself; they are here so that plain stestr commands\n"
        "# work in this directory too.\n"
        "[DEFAULT]\n"
        "test_path=%s\n"
        "top_dir=%s\n"
        "# a test class never spans two workers (as with 'plugfair run')\n"
        "group_regex=%s\n" % (test_path, top_dir, GROUP_REGEX)
    )


class Workspace:
    """An initialised workspace directory.

    :param path: the directory.
    """

    def __init__(self, path: str) -> None:
        #: Absolute path of the workspace.
        self.path = os.path.abspath(path)
        #: What to tell the user about how this workspace was chosen (the
        #: default one, or one just created), or "".
        self.notice = ""

    @property
    def stestr_conf(self) -> str:
        return os.path.join(self.path, STESTR_CONF)

    @property
    def plugfair_conf(self) -> str:
        return os.path.join(self.path, PLUGFAIR_CONF)

    @property
    def repository(self) -> str:
        return os.path.join(self.path, REPOSITORY)

    @staticmethod
    def is_workspace(path: str) -> bool:
        """Whether ``path`` holds both ``.stestr.conf`` and ``plugfair.conf``."""
        return os.path.isfile(os.path.join(path, STESTR_CONF)) and os.path.isfile(
            os.path.join(path, PLUGFAIR_CONF)
        )

    @classmethod
    def resolve(cls, path: str | None) -> Workspace:
        """The workspace at ``path``; without one, the current directory if
        it is a workspace, else the default workspace (created if missing).

        Check :attr:`notice` for what the user should be told.

        :raises UsageError: if ``path`` is given and is not a workspace, or
            the default workspace's directory exists and is not one.
        """
        if path:
            where = os.path.abspath(path)
            if cls.is_workspace(where):
                return cls(where)
            raise UsageError(
                "%s is not a plugfair workspace (it needs %s and %s). Create it "
                "with 'plugfair workspace init %s'." % (where, STESTR_CONF, PLUGFAIR_CONF, path)
            )
        here = os.path.abspath(os.curdir)
        if cls.is_workspace(here):
            return cls(here)
        default = default_path()
        if cls.is_workspace(default):
            ws = cls(default)
            ws.notice = "plugfair: using the default workspace %s (configuration: %s)." % (
                ws.path,
                ws.plugfair_conf,
            )
            return ws
        if os.path.lexists(default) and (
            not os.path.isdir(default) or os.listdir(default)
        ):
            raise UsageError(
                "The default workspace %s exists but is not a plugfair workspace "
                "(it needs %s and %s). Move it away, set %s to another directory, "
                "or pass '--workspace DIR'."
                % (default, STESTR_CONF, PLUGFAIR_CONF, WORKSPACE_ENV)
            )
        ws = init_workspace(default)
        ws.notice = (
            "plugfair: created the default workspace %s; edit %s to configure "
            "the run, or pass '--workspace DIR' (see 'plugfair workspace init')."
            % (ws.path, ws.plugfair_conf)
        )
        return ws

    def open_repository(self) -> Any:
        """Open the stestr repository, creating it if it is missing."""
        from stestr.repository import abstract
        from stestr.repository import util as repo_util

        try:
            return repo_util.get_repo_open(repo_url=self.path)
        except abstract.RepositoryNotFound:
            return repo_util.get_repo_initialise(repo_url=self.path)


def default_path() -> str:
    """The default workspace: ``$PLUGFAIR_WORKSPACE``, else ``workspace``
    in the user's data directory (``~/.local/share/plugfair/workspace`` on
    Linux)."""
    explicit = os.environ.get(WORKSPACE_ENV)
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    import platformdirs

    return os.path.join(platformdirs.user_data_dir("plugfair", appauthor=False), "workspace")


def _write_new(path: str, text: str) -> None:
    # "x": never overwrite a file that appeared since the check.
    with open(path, "x", encoding="utf-8") as f:
        f.write(text)


def init_workspace(path: str) -> Workspace:
    """Create a workspace at ``path`` (the directory may exist).

    :returns: the workspace.
    :raises UsageError: if ``path`` is a file or already holds any of the
        workspace's files; nothing is changed then.
    :raises PlugfairError: if the files cannot be written; whatever was
        created is removed again.
    """
    ws = Workspace(path)
    if os.path.exists(ws.path) and not os.path.isdir(ws.path):
        raise UsageError("%s exists and is not a directory." % ws.path)
    existing = [
        p for p in (ws.stestr_conf, ws.plugfair_conf, ws.repository) if os.path.lexists(p)
    ]
    if existing:
        raise UsageError(
            "%s already has %s; it is a workspace already, or another project's "
            "directory. Choose a new directory." % (ws.path, ", ".join(existing))
        )
    created: list[str] = []
    made_dir = not os.path.exists(ws.path)
    try:
        os.makedirs(ws.path, exist_ok=True)
        _write_new(ws.stestr_conf, _stestr_conf_text())
        created.append(ws.stestr_conf)
        _write_new(ws.plugfair_conf, _CONF_TEMPLATE)
        created.append(ws.plugfair_conf)
        from stestr.repository import util as repo_util

        repo_util.get_repo_initialise(repo_url=ws.path)
    except OSError as exc:
        import shutil

        for p in created:
            try:
                os.unlink(p)
            except OSError:
                pass
        shutil.rmtree(ws.repository, ignore_errors=True)
        if made_dir:
            shutil.rmtree(ws.path, ignore_errors=True)
        raise PlugfairError("Cannot create the workspace %s: %s" % (ws.path, exc)) from exc
    return ws
