"""Validation of a plugin class and of each hook's return value.

The same functions serve the probe (which builds the manifest in a child
process) and in-process loading, so a plugin is judged the same way on
every path.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from plugfair.interface.errors import PluginLoadError, PluginValidationError
from plugfair.interface.hosting import HostedPlugin
from plugfair.interface.plugin import (
    Plugin,
    check_api_version,
    owns_group,
    validate_plugin_name,
)
from plugfair.interface.quota import QuotaResource

__all__ = [
    "HOOK_ORDER",
    "call_hook",
    "check_class",
    "validate_config_options",
    "validate_commands",
    "validate_test_package",
    "validate_test_packages",
    "test_packages_of",
    "validate_hosted_plugins",
    "overrides",
    "declares",
    "validate_quota_resources",
    "validate_services",
    "validate_usage",
    "command_summary",
]

#: The order in which the host calls the declarative hooks.
HOOK_ORDER = (
    "config_options",
    "service_clients",
    "cli_commands",
    "test_packages",
    "quota_resources",
    "hosted_plugins",
)

#: Command names the CLI host itself provides; no plugin may take them.
RESERVED_COMMANDS = frozenset({"help", "complete"})

_COMMAND = re.compile(r"^[a-z][a-z0-9-]{0,31}( [a-z][a-z0-9-]{0,31}){0,3}$")
_SERVICE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_GROUP = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_PACKAGE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class _Timeout(Exception):
    pass


def call_hook(
    plugin: str, func: Callable[..., Any], *args: Any, timeout: float | None
) -> Any:
    """Call a plugin hook, bounding it by ``timeout`` seconds.

    A hook that hangs cannot be killed inside the process; it is left
    running in a daemon thread and reported as failed.

    :raises PluginLoadError: if the hook raises (``BaseException`` included,
        so ``sys.exit`` in a hook is caught) or does not return in time.
    """
    # Instantiating the class is the __init__ "hook".
    hook = "__init__" if isinstance(func, type) else getattr(func, "__name__", "hook")
    if not timeout:
        try:
            return func(*args)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - isolation boundary
            raise _hook_error(plugin, hook, exc) from exc
    result: list[Any] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(func(*args))
        except BaseException as exc:  # noqa: BLE001 - isolation boundary
            error.append(exc)

    thread = threading.Thread(
        target=target, name="plugfair-hook-%s-%s" % (plugin, hook), daemon=True
    )
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise PluginLoadError(
            plugin,
            "hook %s() did not return within %.3g s." % (hook, timeout),
            remedy="Report the hang to the plugin's authors, raise "
            "'[plugfair] hook_timeout', or disable the plugin.",
        )
    if error:
        raise _hook_error(plugin, hook, error[0]) from error[0]
    return result[0]


def _hook_error(plugin: str, hook: str, exc: BaseException) -> PluginLoadError:
    if isinstance(exc, (PluginValidationError, PluginLoadError)):
        return PluginLoadError(plugin, exc.message)
    if isinstance(exc, SystemExit):
        what = "called sys.exit(%r)" % (exc.code,)
    else:
        what = "raised %s: %s" % (type(exc).__name__, exc)
    return PluginLoadError(
        plugin,
        "hook %s() %s" % (hook, what),
        remedy="Report it to the plugin's authors, or disable the plugin "
        "with '[plugfair] disabled_plugins = %s'." % plugin,
    )


def check_class(ep_name: str, obj: object) -> type[Plugin]:
    """Check what an entry point resolved to and return the plugin class.

    :raises PluginValidationError: if ``obj`` is not a ``Plugin`` subclass,
        its name is invalid or differs from ``ep_name``.
    :raises IncompatiblePlugin: if its ``api_version`` cannot be served.
    """
    if not (isinstance(obj, type) and issubclass(obj, Plugin)):
        raise PluginValidationError(
            ep_name,
            "entry point",
            "it points to %r, which is not a subclass of plugfair.api.Plugin."
            % (obj,),
        )
    validate_plugin_name(ep_name)
    declared = getattr(obj, "name", None)
    if declared != ep_name:
        raise PluginValidationError(
            ep_name,
            "name",
            "the entry point is named %r but %s.name is %r; they must be equal."
            % (ep_name, obj.__qualname__, declared),
        )
    check_api_version(ep_name, getattr(obj, "api_version", None))
    description = getattr(obj, "description", "")
    if not isinstance(description, str):
        raise PluginValidationError(ep_name, "description", "it must be a string.")
    groups = getattr(obj, "config_groups", ())
    if not isinstance(groups, (tuple, list)) or not all(
        isinstance(g, str) and _GROUP.fullmatch(g) for g in groups
    ):
        raise PluginValidationError(
            ep_name,
            "config_groups",
            "it must be a tuple of lowercase identifiers, e.g. ('quota',).",
        )
    return obj


def validate_config_options(
    plugin: str, value: object, extra: Sequence[str] = ()
) -> list[tuple[str, list[Any]]]:
    """Validate the return value of ``config_options()``."""
    from oslo_config import cfg

    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise PluginValidationError(
            plugin,
            "config_options()",
            "it returned %s; return a list of (group, [opts]) pairs."
            % type(value).__name__,
        )
    out: list[tuple[str, list[Any]]] = []
    for item in value:
        if (
            not isinstance(item, (tuple, list))
            or len(item) != 2
            or not isinstance(item[0], str)
        ):
            raise PluginValidationError(
                plugin,
                "config_options()",
                "item %r is not a (group name, [opts]) pair." % (item,),
            )
        group, opts = item
        if not owns_group(plugin, group, extra):
            raise PluginValidationError(
                plugin,
                "config_options()",
                "it registers options in group [%s], which it does not own. "
                "A plugin owns [%s], [%s_*] and the groups listed in its "
                "config_groups attribute." % (group, plugin, plugin),
            )
        if not isinstance(opts, Sequence) or not all(
            isinstance(o, cfg.Opt) for o in opts
        ):
            raise PluginValidationError(
                plugin,
                "config_options()",
                "the options of group [%s] must be a list of oslo.config Opt "
                "objects." % group,
            )
        out.append((group, list(opts)))
    return out


def command_summary(cls: type) -> str:
    """Return the one-line help of a command class.

    Only the class's own docstring counts: a command without one must not
    show the text of the base class it inherits from.
    """
    import inspect

    own = cls.__dict__.get("__doc__")
    doc = inspect.cleandoc(own) if isinstance(own, str) else ""
    return doc.strip().splitlines()[0].strip() if doc.strip() else ""


def validate_commands(plugin: str, value: object) -> dict[str, type]:
    """Validate the return value of ``cli_commands()``."""
    from cliff.command import Command

    if not isinstance(value, Mapping):
        raise PluginValidationError(
            plugin,
            "cli_commands()",
            "it returned %s; return a mapping of command name to command class."
            % type(value).__name__,
        )
    out: dict[str, type] = {}
    for name, cls in value.items():
        if not isinstance(name, str) or not _COMMAND.fullmatch(name):
            raise PluginValidationError(
                plugin,
                "cli_commands()",
                "command name %r is invalid: use one to four lowercase words "
                "separated by single spaces, e.g. 'zone list'." % (name,),
            )
        if name in RESERVED_COMMANDS:
            raise PluginValidationError(
                plugin,
                "cli_commands()",
                "command name %r is reserved by the plugfair CLI itself; "
                "choose another name." % name,
            )
        if not (isinstance(cls, type) and issubclass(cls, Command)):
            raise PluginValidationError(
                plugin,
                "cli_commands()",
                "command %r maps to %r, which is not a command class (subclass "
                "plugfair.api.Command, Lister or ShowOne)." % (name, cls),
            )
        out[name] = cls
    return out


def validate_test_package(plugin: str, value: object, top_level: str) -> str | None:
    """Validate the return value of ``test_package()``."""
    if value is None:
        return None
    if not isinstance(value, str) or not _PACKAGE.fullmatch(value):
        raise PluginValidationError(
            plugin,
            "test_package()",
            "it returned %r; return a dotted package name or None." % (value,),
        )
    if value.split(".")[0] != top_level:
        raise PluginValidationError(
            plugin,
            "test_package()",
            "test package %r is outside the plugin's own package %r."
            % (value, top_level),
        )
    return value


def validate_test_packages(plugin: str, value: object, top_level: str) -> list[str]:
    """Validate the return value of ``test_packages()``."""
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise PluginValidationError(
            plugin,
            "test_packages()",
            "it returned %s; return a list of dotted package names."
            % type(value).__name__,
        )
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not _PACKAGE.fullmatch(item):
            raise PluginValidationError(
                plugin,
                "test_packages()",
                "%r is not a dotted package name." % (item,),
            )
        if item.split(".")[0] != top_level:
            raise PluginValidationError(
                plugin,
                "test_packages()",
                "test package %r is outside the plugin's own package %r."
                % (item, top_level),
            )
        if item in out:
            raise PluginValidationError(
                plugin, "test_packages()", "test package %r is listed twice." % item
            )
        out.append(item)
    return out


def test_packages_of(
    plugin: str, instance: Plugin, top_level: str, *, timeout: float | None
) -> list[str]:
    """Call the test-namespace hook of a plugin and validate the result.

    A plugin that overrides only ``test_package()`` (API 1.0) is asked
    through that hook, so messages name the hook it wrote.
    """
    if overrides(type(instance), "test_packages"):
        return validate_test_packages(
            plugin, call_hook(plugin, instance.test_packages, timeout=timeout), top_level
        )
    single = validate_test_package(
        plugin, call_hook(plugin, instance.test_package, timeout=timeout), top_level
    )
    return [single] if single else []


def declares(cls: type, attribute: str) -> bool:
    """Whether ``cls`` or a base class of its own (not ``Plugin``) sets
    ``attribute``."""
    return any(attribute in vars(klass) for klass in cls.__mro__ if klass is not Plugin and klass is not object)


def overrides(cls: type, hook: str) -> bool:
    """Whether plugin class ``cls`` overrides ``Plugin.<hook>``."""
    return getattr(cls, hook, None) is not getattr(Plugin, hook)


def validate_hosted_plugins(plugin: str, value: object) -> list[HostedPlugin]:
    """Validate the return value of ``hosted_plugins()``."""
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise PluginValidationError(
            plugin,
            "hosted_plugins()",
            "it returned %s; return a list of plugfair.api.HostedPlugin."
            % type(value).__name__,
        )
    out: list[HostedPlugin] = []
    names: set[str] = set()
    for item in value:
        if not isinstance(item, HostedPlugin):
            raise PluginValidationError(
                plugin,
                "hosted_plugins()",
                "%r is not a plugfair.api.HostedPlugin." % (item,),
            )
        item.validate(plugin)
        if item.name in names:
            raise PluginValidationError(
                plugin, "hosted_plugins()", "hosted plugin %r is declared twice." % item.name
            )
        names.add(item.name)
        out.append(item)
    return out


def validate_quota_resources(plugin: str, value: object) -> list[QuotaResource]:
    """Validate the return value of ``quota_resources()``."""
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise PluginValidationError(
            plugin,
            "quota_resources()",
            "it returned %s; return a list of QuotaResource." % type(value).__name__,
        )
    seen: set[str] = set()
    out = []
    for item in value:
        if not isinstance(item, QuotaResource):
            raise PluginValidationError(
                plugin,
                "quota_resources()",
                "%r is not a plugfair.api.QuotaResource." % (item,),
            )
        if item.name in seen:
            raise PluginValidationError(
                plugin,
                "quota_resources()",
                "resource %r is declared twice." % item.name,
            )
        seen.add(item.name)
        out.append(item)
    return out


def validate_services(plugin: str, value: object) -> dict[str, Callable[..., Any]]:
    """Validate the return value of ``service_clients()``."""
    if not isinstance(value, Mapping):
        raise PluginValidationError(
            plugin,
            "service_clients()",
            "it returned %s; return a mapping of service name to factory."
            % type(value).__name__,
        )
    out = {}
    for name, factory in value.items():
        if not isinstance(name, str) or not _SERVICE.fullmatch(name):
            raise PluginValidationError(
                plugin,
                "service_clients()",
                "service name %r is invalid: use a lowercase identifier "
                "(letters, digits, '_' or '-')." % (name,),
            )
        if not callable(factory):
            raise PluginValidationError(
                plugin,
                "service_clients()",
                "the factory of service %r is not callable." % name,
            )
        out[name] = factory
    return out


def validate_usage(
    plugin: str, value: object, names: Sequence[str]
) -> dict[str, int]:
    """Validate the return value of ``quota_usage()``.

    Names the plugin did not report are left out (they show as unknown).
    """
    if not isinstance(value, Mapping):
        raise PluginValidationError(
            plugin,
            "quota_usage()",
            "it returned %s; return a mapping of resource name to count."
            % type(value).__name__,
        )
    out = {}
    wanted = set(names)
    for key, count in value.items():
        if key not in wanted:
            continue
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise PluginValidationError(
                plugin,
                "quota_usage()",
                "usage of %r is %r; it must be an integer >= 0." % (key, count),
            )
        out[key] = count
    return out
