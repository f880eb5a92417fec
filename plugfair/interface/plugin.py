"""The plugin contract: :class:`Plugin`, ``API_VERSION`` and negotiation."""

from __future__ import annotations

import abc
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from plugfair.interface.errors import IncompatiblePlugin, PluginValidationError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from cliff.command import Command as CliffCommand
    from oslo_config import cfg

    from plugfair.interface.hosting import HostedPlugin, TestRun
    from plugfair.interface.protocols import ServiceClients
    from plugfair.interface.quota import QuotaResource

__all__ = [
    "API_VERSION",
    "Plugin",
    "check_api_version",
    "validate_plugin_name",
    "owns_group",
]

#: Version of the stable interface this plugfair provides ("MAJOR.MINOR").
#: A plugin is served when its major version is equal and its minor version
#: is no higher than this one.
API_VERSION = "1.1"


#: The first plugfair release that provided each API version.
API_RELEASES: dict[str, str] = {"1.0": "0.1.0", "1.1": "0.2.0"}

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_VERSION = re.compile(r"^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$")


def validate_plugin_name(name: object) -> str:
    """Check that ``name`` is a valid plugin name and return it.

    A plugin name is a lowercase identifier of at most 40 characters:
    ASCII letters, digits and underscores, starting with a letter.

    :raises PluginValidationError: if it is not.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        shown = name if isinstance(name, str) else type(name).__name__
        raise PluginValidationError(
            str(shown)[:60],
            "name",
            "%r is not a lowercase identifier of at most 40 characters "
            "(a-z, 0-9 and '_', starting with a letter)." % (shown,),
        )
    return name


def _parse(version: str) -> tuple[int, int]:
    match = _VERSION.fullmatch(version)
    if not match:
        raise ValueError(version)
    return int(match.group(1)), int(match.group(2))


def check_api_version(
    plugin: str, wanted: object, provided: str = API_VERSION
) -> None:
    """Check that a plugin declaring ``wanted`` can be served.

    :param plugin: the plugin's name, for messages.
    :param wanted: the plugin's declared ``api_version``.
    :param provided: the host's API version.
    :raises PluginValidationError: if ``wanted`` is not "MAJOR.MINOR".
    :raises IncompatiblePlugin: if the major versions differ or the plugin
        needs a newer minor version.
    """
    if not isinstance(wanted, str):
        raise PluginValidationError(
            plugin, "api_version", "it must be a string like %r." % API_VERSION
        )
    try:
        w_major, w_minor = _parse(wanted)
    except ValueError:
        raise PluginValidationError(
            plugin,
            "api_version",
            "%r is not of the form MAJOR.MINOR, e.g. %r." % (wanted, API_VERSION),
        ) from None
    p_major, p_minor = _parse(provided)
    if w_major == p_major and w_minor <= p_minor:
        return
    if w_major == p_major or w_major > p_major:
        release = API_RELEASES.get(wanted)
        needs = (
            "plugfair >= %s" % release
            if release
            else "a plugfair release that provides API %s" % wanted
        )
    else:
        needs = "a plugfair release from the %d.x API series" % w_major
    raise IncompatiblePlugin(plugin, wanted=wanted, provided=provided, needs=needs)


def owns_group(plugin: str, group: str, extra: Sequence[str] = ()) -> bool:
    """Whether configuration group ``group`` belongs to ``plugin``.

    A plugin owns the group named after it, every group named
    ``<plugin>_<suffix>``, and the groups it claims in
    :attr:`Plugin.config_groups` (``extra``).  Two plugins that claim the
    same group collide.
    """
    return group == plugin or group.startswith(plugin + "_") or group in extra


class Plugin(abc.ABC):  # noqa: B024 - every hook is optional by design
    """Base class of every plugfair plugin.

    Subclass it, set :attr:`name` (equal to the entry-point name in group
    ``plugfair.plugins``), and override the hooks for the capabilities the
    plugin has.  Every hook is optional and its default contributes nothing.

    The host calls the hooks in this order, once each per process, and only
    when it needs them:

    1. ``__init__(conf)``: the host instantiates the class with its
       :class:`oslo_config.cfg.ConfigOpts`, then sets :attr:`registry`.
    2. :meth:`config_options`: the host registers the options in the
       plugin's own groups.  After this, ``self.conf`` can read them.
    3. :meth:`service_clients`
    4. :meth:`cli_commands`
    5. :meth:`test_packages` (which calls :meth:`test_package` unless
       overridden)
    6. :meth:`quota_resources`
    7. :meth:`hosted_plugins`
    8. :meth:`prepare_test_run`, once per ``plugfair run`` or
       ``list-tests``, before any test process starts.
    9. :meth:`quota_usage`, on demand, each time usage is needed.

    Each hook call is isolated: if it raises, returns the wrong type or
    exceeds ``[plugfair] hook_timeout``, the plugin is marked failed and
    every other plugin keeps working.

    .. versionadded:: 1.0
    """

    #: The plugin's name: a lowercase identifier, equal to its entry-point
    #: name.  It names the plugin's config group, its quota keys
    #: (``<name>.<resource>``) and its place in every ordering.
    name: ClassVar[str] = ""

    #: The plugfair API version this plugin implements ("MAJOR.MINOR").
    api_version: ClassVar[str] = API_VERSION

    #: One line that says what the plugin provides.
    description: ClassVar[str] = ""

    #: Extra configuration groups the plugin claims, besides ``[<name>]``
    #: and ``[<name>_*]``.  A group claimed by two plugins, or named after
    #: another plugin, is a collision: neither plugin gets it.
    config_groups: ClassVar[tuple[str, ...]] = ()

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        #: The host's configuration.  Read your options from your own group.
        self.conf = conf
        #: Other plugins' service clients (a
        #: :class:`~plugfair.api.ServiceClients`), set by the host right
        #: after instantiation (``None`` while the plugin is only being
        #: probed).  Reach other plugins' services through it, e.g.
        #: ``self.registry.service_client("identity")``, never by importing
        #: another plugin.
        self.registry: ServiceClients | None = None

    def config_options(self) -> Sequence[tuple[str, Sequence[cfg.Opt]]]:
        """Return the configuration options of this plugin.

        :returns: ``(group, [opts])`` pairs.  Every group must be the
            plugin's own: named :attr:`name`, ``<name>_<suffix>`` or
            listed in :attr:`config_groups`.
        """
        return []

    def service_clients(self) -> Mapping[str, Callable[[cfg.ConfigOpts], Any]]:
        """Return the service clients this plugin offers to everyone.

        :returns: a mapping of service name (a lowercase identifier) to a
            factory that takes the host's ``ConfigOpts`` and returns a
            client.  A factory that accepts a second argument also gets the
            host's :class:`plugfair.api.ServiceClients`, to reach another
            plugin's client (the identity session, say).  Tests of any
            plugin reach them through the registry.

        .. versionchanged:: 1.1
           A factory may take the ``ServiceClients`` as a second argument.
        """
        return {}

    def cli_commands(self) -> Mapping[str, type[CliffCommand]]:
        """Return the CLI commands of this plugin.

        :returns: a mapping of command name (lowercase words separated by
            single spaces, e.g. ``"zone list"``) to a command class, usually
            a subclass of :class:`plugfair.api.Command`,
            :class:`plugfair.api.Lister` or :class:`plugfair.api.ShowOne`.
            The first line of the class docstring is the command's help.
        """
        return {}

    def test_package(self) -> str | None:
        """Return the dotted name of the package that holds the tests.

        :returns: a package name such as ``"acme_plugin.tests"``, which must
            be inside the plugin's own top-level package, or ``None``.
        """
        return None

    def test_packages(self) -> Sequence[str]:
        """Return the packages that hold the tests: the plugin's test
        namespaces.

        A plugin owns every test whose id starts with one of these names
        (the longest matching name wins when namespaces nest), so
        ``plugfair run --plugin NAME`` selects exactly these tests.

        :returns: dotted package names, each inside the plugin's own
            top-level package.  The default is :meth:`test_package`'s
            package, if any.

        .. versionadded:: 1.1
        """
        package = self.test_package()
        return [] if package is None else [package]

    def quota_resources(self) -> Sequence[QuotaResource]:
        """Return the quota resources this plugin declares.

        :returns: :class:`plugfair.api.QuotaResource` objects with unique
            names.  The host keys them as ``<plugin>.<name>``.
        """
        return []

    def hosted_plugins(self) -> Sequence[HostedPlugin]:
        """Return further plugins this plugin contributes.

        Use it to host another ecosystem's plugins (each Tempest plugin,
        say) as plugfair plugins.  Each :class:`plugfair.api.HostedPlugin`
        becomes a plugin of its own: its own name, distribution and
        version, status, selection, collisions, configuration, tests and
        reports, exactly like an installed plugin.  It gets nothing the
        hosting plugin lacks, and the hosting plugin gets no say over it
        afterwards.

        Keep this hook cheap: list what exists without importing it.  The
        host loads each hosted plugin separately, with its own deadline, so
        one that fails or hangs is marked failed alone.  A hosted plugin's
        own ``hosted_plugins()`` is not used: hosting is one level deep.

        :returns: :class:`plugfair.api.HostedPlugin` declarations with
            unique names.

        .. versionadded:: 1.1
        """
        return []

    def prepare_test_run(self, run: TestRun) -> None:
        """Prepare what this plugin's tests need, before the tests start.

        The host calls it once per ``plugfair run`` or ``plugfair
        list-tests``, in the host process, before the test processes (the
        lister and the workers) start, for every enabled plugin that
        overrides it.  Write files into ``run.directory`` (the host removes
        it afterwards, whatever happens), export what the test processes
        need with ``run.set_environment()``, and register other cleanups
        with ``run.add_cleanup()``.

        If it raises or overruns ``[plugfair] hook_timeout``, every test of
        this plugin (and of the plugins it hosts) fails with the reason,
        and the other plugins' tests run as usual.

        :param run: the host's view of the run (:class:`plugfair.api.TestRun`).

        .. versionadded:: 1.1
        """
        return None

    def quota_usage(
        self, project_id: str, resource_names: Sequence[str]
    ) -> Mapping[str, int]:
        """Return the current usage of some of this plugin's resources.

        :param project_id: the project to count for.
        :param resource_names: resource names (without the plugin prefix).
        :returns: a mapping of resource name to a count >= 0.  A name left
            out shows as "unknown".  The default knows no usage.
        """
        return {}
