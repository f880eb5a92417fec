"""In the child: what a plugin tells another host, through that host's
interface as its profile describes it.

A Tempest plugin, for example, is hosted by a plugfair plugin, and the
generic walk (:mod:`plugfair.conformance.child`) judges it as that plugfair
plugin.  What the plugin does *to Tempest* is seen only through Tempest's
own interface: the options its ``register_opts(conf)`` registers and the
service clients ``get_service_clients()`` declares.  To see them, the
child loads the entry point itself, through :mod:`importlib.metadata` in
the group the profile names (``host.plugin_group``), and instantiates the
class with no arguments, as that host does.  It does not ask the hosting
plugin for the object it holds: the interface is data from the profile,
and the hosting plugin has no part in how its plugins are judged.

The method names come from the profile's ``plugin_interface``; nothing
here names a host.  The child only records facts; the parent judges them
(:mod:`plugfair.conformance.hostrules`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from oslo_config import cfg

if TYPE_CHECKING:  # pragma: no cover
    from plugfair.conformance.child import Findings

__all__ = ["facts", "Recorder"]

#: Longest value of a service client key that is reported back.
_MAX_VALUE = 200


class Recorder(cfg.ConfigOpts):
    """A ``ConfigOpts`` that remembers each option registered into it, with
    its group (``"DEFAULT"`` for none)."""

    def __init__(self) -> None:
        # Set before ConfigOpts.__init__, which registers options itself.
        self.found: list[tuple[str, str]] = []
        super().__init__()
        self.found.clear()

    def register_opt(self, opt: cfg.Opt, group: Any = None, cli: bool = False, **kw: Any) -> bool:
        name = group.name if isinstance(group, cfg.OptGroup) else group
        self.found.append((str(name or "DEFAULT"), str(getattr(opt, "name", opt))))
        return bool(super().register_opt(opt, group, cli, **kw))


def facts(
    name: str, entry_point: Sequence[str], interface: Mapping[str, Any], timeout: float, find: Findings
) -> dict[str, Any] | None:
    """Load ``entry_point`` (group, name, value) and record what its
    object registers and declares.

    :returns: ``{"options": [[group, option]], "service_clients":
        [{key: value}]}`` (a key is present only when the profile asks for
        it), or ``None`` when the object cannot be made (with a PF104
        finding).
    """
    import importlib.metadata

    from plugfair.interface.errors import PluginLoadError
    from plugfair.registry import validate as v

    group, ep_name, value = entry_point
    try:
        cls = importlib.metadata.EntryPoint(ep_name, value, group).load()
        obj = v.call_hook(name, cls, timeout=timeout)
    except PluginLoadError as exc:
        find.add("PF104", "load", "Instantiating entry point %s = %s (%s) failed: %s" % (ep_name, value, group, exc.reason))
        return None
    except BaseException as exc:  # noqa: BLE001 - isolation boundary
        if isinstance(exc, KeyboardInterrupt):
            raise
        find.add("PF104", "load", "Loading entry point %s = %s (%s) raised %s: %s" % (ep_name, value, group, type(exc).__name__, exc))
        return None
    out: dict[str, Any] = {}
    hook = interface.get("register_opts")
    if hook:
        recorder = Recorder()
        if _call(name, obj, hook, (recorder,), timeout, find) is not _FAILED:
            out["options"] = [list(pair) for pair in recorder.found]
    hook = interface.get("service_clients")
    if hook:
        result = _call(name, obj, hook, (), timeout, find)
        if result is not _FAILED:
            clients = _service_clients(result, list(interface.get("keys") or ()))
            if clients is None:
                find.add(
                    "PF105", "hooks", "%s() returned %s, not a list of mappings." % (hook, type(result).__name__)
                )
            else:
                out["service_clients"] = clients
    return out


_FAILED = object()


def _call(name: str, obj: object, hook: str, args: tuple[Any, ...], timeout: float, find: Findings) -> Any:
    """Call ``obj.<hook>(*args)`` with the timeout; PF105 on failure."""
    from plugfair.interface.errors import PluginLoadError
    from plugfair.registry import validate as v

    method = getattr(obj, hook, None)
    if not callable(method):
        find.add("PF105", "hooks", "%s has no %s() method." % (type(obj).__name__, hook))
        return _FAILED
    try:
        return v.call_hook(name, method, *args, timeout=timeout)
    except PluginLoadError as exc:
        find.add("PF105", "hooks", "Hook %s() failed: %s" % (hook, exc.reason))
        return _FAILED


def _service_clients(value: object, keys: Sequence[str]) -> list[dict[str, str]] | None:
    """The ``keys`` of each service client mapping (strings only)."""
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        return None
    out = []
    for item in value:
        if not isinstance(item, Mapping):
            return None
        out.append({k: str(item[k])[:_MAX_VALUE] for k in keys if isinstance(item.get(k), str)})
    return out
