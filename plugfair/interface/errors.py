"""The plugfair exception hierarchy, warning class and deprecation helper.

Every error raised by plugfair derives from :class:`PlugfairError`.  Each
leaf also derives from the builtin exception that best describes the
condition, carries the context of the failure as attributes and has a
message that says what to do next.
"""

from __future__ import annotations

import functools
import warnings

# No typing at run time: the CLI's fast paths import this module.
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from typing import Any, TypeVar

    F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "PlugfairError",
    "PlugfairWarning",
    "PluginError",
    "PluginNotFound",
    "PluginLoadError",
    "IncompatiblePlugin",
    "PluginValidationError",
    "PluginCollision",
    "ConfigError",
    "UsageError",
    "QuotaError",
    "QuotaExceeded",
    "OverLimit",
    "deprecated",
]


class PlugfairError(Exception):
    """Base class of every error plugfair raises.

    :param message: a human-readable message that says what went wrong and
        what to do about it.
    """

    #: Process exit code the CLI uses when this error reaches it.
    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take keyword-only context arguments, so the default
        # (``cls(*self.args)``) cannot rebuild them: copy and pickle
        # restore the message and the context attributes instead.
        return (_restore, (type(self), self.message, dict(self.__dict__)))


def _restore(cls: type[PlugfairError], message: str, state: dict[str, Any]) -> PlugfairError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class PlugfairWarning(UserWarning):
    """Category of every warning plugfair emits."""


class UsageError(PlugfairError, ValueError):
    """A command line or API call was used wrongly.

    The CLI exits with status 2 for this error, as argparse does.
    """

    exit_code = 2


class PluginError(PlugfairError):
    """Base class of errors about one plugin.

    :param plugin: the name of the plugin concerned.
    """

    def __init__(self, message: str, *, plugin: str) -> None:
        super().__init__(message)
        #: Name of the plugin concerned.
        self.plugin = plugin


class PluginNotFound(PluginError, LookupError):
    """No installed plugin has the requested name."""

    def __init__(self, plugin: str, *, known: list[str] | None = None) -> None:
        hint = ""
        if known:
            hint = " Installed plugins: %s." % ", ".join(sorted(known))
        super().__init__(
            "No plugin named %r is installed.%s Run 'plugfair plugin list' "
            "to see what is installed." % (plugin, hint),
            plugin=plugin,
        )


class PluginLoadError(PluginError, RuntimeError):
    """A plugin could not be imported, instantiated or called.

    :param reason: what failed, for example the import error's text.
    :param remedy: what the operator or the plugin author can do.
    """

    def __init__(self, plugin: str, reason: str, *, remedy: str = "") -> None:
        message = "Plugin %r failed: %s" % (plugin, reason)
        if remedy:
            message += " " + remedy
        super().__init__(message, plugin=plugin)
        self.reason = reason
        self.remedy = remedy


class IncompatiblePlugin(PluginError, RuntimeError):
    """A plugin's ``api_version`` cannot be served by this plugfair."""

    def __init__(
        self, plugin: str, *, wanted: str, provided: str, needs: str
    ) -> None:
        super().__init__(
            "Plugin %r implements plugfair API %s, but this plugfair provides "
            "API %s. The plugin needs %s; upgrade plugfair or install a "
            "release of the plugin made for API %s."
            % (plugin, wanted, provided, needs, provided),
            plugin=plugin,
        )
        #: API version the plugin declared.
        self.wanted = wanted
        #: API version of the running plugfair.
        self.provided = provided
        #: Human description of the plugfair release the plugin needs.
        self.needs = needs


class PluginValidationError(PluginError, TypeError):
    """A plugin's declaration or a hook's return value is invalid.

    :param hook: the hook or attribute that was invalid.
    """

    def __init__(self, plugin: str, hook: str, problem: str) -> None:
        super().__init__(
            "Plugin %r: %s is invalid: %s Fix the plugin, or disable it with "
            "'[plugfair] disabled_plugins = %s'." % (plugin, hook, problem, plugin),
            plugin=plugin,
        )
        #: The hook or attribute at fault.
        self.hook = hook
        #: What is wrong with it.
        self.problem = problem


class PluginCollision(PluginError, RuntimeError):
    """Two plugins claim the same name: plugin, command, group, service...

    Install order never decides.  A contested item is withheld until the
    operator decides: by disabling one plugin, or, for a command or a
    service, by picking its provider in ``[plugfair] command_providers``
    or ``service_providers``.  A config group named after a plugin
    belongs to that plugin (the longest plugin name that prefixes it):
    the other claimants are refused.

    :param kind: what is contested, e.g. ``"command"``.
    :param item: the contested name.
    :param claimants: ``(plugin, distribution)`` pairs that claim it.
    :param winner: the plugin that keeps the item (by the naming rule), if
        any.
    """

    def __init__(
        self,
        kind: str,
        item: str,
        claimants: list[tuple[str, str]],
        *,
        winner: str | None = None,
    ) -> None:
        who = " and ".join(
            "plugin %r (distribution %s)" % (p, d) for p, d in claimants
        )
        names = sorted({p for p, _ in claimants})
        if len(names) == 1 and len(claimants) > 1:
            # One plugin name from several distributions: name the
            # distribution too, or both would be disabled.
            last = sorted(claimants)[-1]
            disable = "%s@%s" % (last[0], last[1])
        else:
            disable = [n for n in names if n != winner][-1]
        reason = "The %s %r is claimed by %s." % (kind, item, who)
        if winner is not None:
            text = (
                "It belongs to plugin %r, whose name it carries; the other claim "
                "is refused. Ask the authors of %s to use their own groups, or "
                "disable it with '[plugfair] disabled_plugins = %s'."
                % (winner, disable, disable)
            )
        else:
            text = "Neither is used. "
            option = {"command": "command_providers", "service": "service_providers"}.get(kind)
            if option and len(names) > 1:
                text += (
                    "Pick one with '[plugfair] %s = %s:<plugin>'%s, or disable one "
                    "with '[plugfair] disabled_plugins = %s'."
                    % (
                        option,
                        item,
                        " (each stays reachable as 'plugfair <plugin> %s')" % item
                        if kind == "command"
                        else "",
                        disable,
                    )
                )
            else:
                text += (
                    "Disable one of them with '[plugfair] disabled_plugins = %s' "
                    "(or uninstall it)." % disable
                )
        super().__init__("%s %s" % (reason, text), plugin=names[0])
        #: What is contested and by whom.
        self.reason = reason
        #: What happens to it, and what the operator can do.
        self.remedy = text
        #: What kind of name is contested.
        self.kind = kind
        #: The contested name.
        self.item = item
        #: Every ``(plugin, distribution)`` that claims it.
        self.claimants = list(claimants)
        #: The plugin that keeps the item, or ``None`` when nobody does.
        self.winner = winner


class ConfigError(PlugfairError, ValueError):
    """Configuration is malformed or refers to something that is not there.

    :param source: the file (and line, when known) at fault, if any.
    """

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        #: File, and line where known, that holds the bad configuration.
        self.source = source


class QuotaError(PlugfairError, ValueError):
    """A quota operation was given bad input or could not be carried out."""


class OverLimit:
    """One resource that a quota check would take over its limit.

    :param resource: the quota key, ``<plugin>.<resource>``.
    :param limit: the effective limit.
    :param usage: the current usage.
    :param delta: the requested change.
    """

    __slots__ = ("resource", "limit", "usage", "delta")

    def __init__(self, resource: str, limit: int, usage: int, delta: int) -> None:
        self.resource = resource
        self.limit = limit
        self.usage = usage
        self.delta = delta

    def __repr__(self) -> str:
        return "OverLimit(resource=%r, limit=%d, usage=%d, delta=%d)" % (
            self.resource,
            self.limit,
            self.usage,
            self.delta,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OverLimit):
            return NotImplemented
        return (self.resource, self.limit, self.usage, self.delta) == (
            other.resource,
            other.limit,
            other.usage,
            other.delta,
        )

    def __hash__(self) -> int:
        return hash((self.resource, self.limit, self.usage, self.delta))


class QuotaExceeded(QuotaError):
    """A quota check failed: one or more resources would go over the limit.

    :param project_id: the project that was checked.
    :param over: every resource that would go over.
    """

    def __init__(self, project_id: str, over: list[OverLimit]) -> None:
        detail = "; ".join(
            "%s: limit %d, in use %d, requested %+d"
            % (o.resource, o.limit, o.usage, o.delta)
            for o in over
        )
        super().__init__(
            "Quota exceeded for project %r: %s. Free some resources or ask an "
            "operator to raise the limit with 'plugfair quota set'."
            % (project_id, detail)
        )
        #: The project that was checked.
        self.project_id = project_id
        #: Every resource that would go over, as :class:`OverLimit`.
        self.over = list(over)


def deprecated(
    *, since: str, removed_in: str, alternative: str | None = None
) -> Callable[[F], F]:
    """Mark a public callable as deprecated.

    Calling the wrapped function emits a :class:`DeprecationWarning` that
    says when it goes away and what to use instead; the docstring gets a
    ``.. deprecated::`` note.  The conformance checker reads the same
    decorator statically to report uses of deprecated API.

    :param since: the plugfair version that deprecated it.
    :param removed_in: the plugfair version that removes it.
    :param alternative: what to use instead, if anything.
    :returns: a decorator.
    """

    def decorate(func: F) -> F:
        what = getattr(func, "__qualname__", repr(func))
        message = "%s is deprecated since plugfair %s and is removed in %s." % (
            what,
            since,
            removed_in,
        )
        if alternative:
            message += " Use %s instead." % alternative

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            warnings.warn(message, DeprecationWarning, stacklevel=2)
            return func(*args, **kwargs)

        note = "\n\n.. deprecated:: %s\n   %s\n" % (since, message)
        wrapper.__doc__ = (func.__doc__ or "") + note
        wrapper.__plugfair_deprecated__ = {  # type: ignore[attr-defined]
            "since": since,
            "removed_in": removed_in,
            "alternative": alternative,
        }
        return wrapper  # type: ignore[return-value]

    return decorate
