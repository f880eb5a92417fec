"""Implementations the stable layer declares and a higher layer provides.

The stable layer (:mod:`plugfair.api` and this package) imports no
registry, configuration or host.  A few things it offers need one at run
time: a test's view of the running host, ``make_registry`` for tests, and
the deprecated 1.0 names ``Registry`` and ``Enforcer``.  They are bound in
the composition root, :mod:`plugfair.cli.builtin`, and reach this layer
through plugfair's own entry-point group ``plugfair.api.provided``, read
from plugfair's own distribution only (a plugin cannot declare one).  Each
entry point names a function of no arguments that returns the
implementation.  So the dependency points down, as a name; the wiring is
data, next to the other entry points in ``setup.cfg``.
"""

from __future__ import annotations

from typing import Any

from plugfair.interface.errors import PlugfairError

__all__ = ["GROUP", "provided"]

#: The entry-point group that binds what this layer declares.
GROUP = "plugfair.api.provided"

_CACHE: dict[str, Any] = {}


def provided(name: str) -> Any:
    """The implementation bound to ``name`` in plugfair's own metadata.

    :raises PlugfairError: if plugfair's installation does not provide it
        (a broken or partial installation).
    """
    try:
        return _CACHE[name]
    except KeyError:
        pass
    import importlib.metadata

    try:
        dist = importlib.metadata.distribution("plugfair")
    except importlib.metadata.PackageNotFoundError:
        dist = None
    found = [ep for ep in (dist.entry_points if dist else ()) if ep.group == GROUP and ep.name == name]
    if not found:
        raise PlugfairError(
            "plugfair's installation does not provide %r (entry point group %s). "
            "Reinstall plugfair, e.g. 'pip install --force-reinstall plugfair'." % (name, GROUP)
        )
    _CACHE[name] = found[0].load()()
    return _CACHE[name]
