"""The stable test API: :class:`TestCase`, :func:`idempotent_id` and skips.

Plugin tests import these from :mod:`plugfair.api`.  Everything a test
needs from the host (configuration, other plugins' service clients, skips)
comes through here, so a test never imports plugfair internals or another
plugin.
"""

from __future__ import annotations

import functools
import logging
import re
import uuid
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import fixtures
import testtools
from testtools.testcase import WithAttributes, attr

from plugfair.interface.errors import ConfigError, UsageError
from plugfair.interface.testids import IDEMPOTENT_ID_ATTR

if TYPE_CHECKING:  # pragma: no cover
    from oslo_config import cfg

    from plugfair.interface.protocols import ServiceClients

__all__ = [
    "TestCase",
    "ConfigOverride",
    "idempotent_id",
    "requires_service",
    "IDEMPOTENT_ID_ATTR",
]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

_Stacks = dict[tuple[str | None, str], list[Any]]

# id(conf) -> (weak reference to conf, {(group, name): [values set by the
# enclosing ConfigOverride fixtures]}).  ConfigOpts is not hashable.
_OVERRIDES: dict[int, tuple[weakref.ref[Any], _Stacks]] = {}


def _host() -> Any:
    """The running test host's view of this process: configuration,
    service clients and skips (provided by the tests host)."""
    from plugfair.interface.provided import provided

    return provided("test_host")()


def _stacks(conf: Any) -> _Stacks:
    entry = _OVERRIDES.get(id(conf))
    if entry is None or entry[0]() is not conf:
        entry = (weakref.ref(conf), {})
        _OVERRIDES[id(conf)] = entry
    return entry[1]


def idempotent_id(test_id: str) -> Callable[[F], F]:
    """Give a test a permanent id that survives renames and moves.

    The id is a UUID in canonical form (lowercase, with dashes).  It is
    added to the test id as the attribute ``[id-<uuid>]``, so
    ``plugfair run --regex <uuid>`` selects the test wherever it lives.
    Every plugin's contract tests check that no two tests, in any plugins,
    share an id.

    :param test_id: the UUID, e.g. from ``python -c 'import uuid;
        print(uuid.uuid4())'``.
    :returns: a decorator for a test method.
    :raises UsageError: if ``test_id`` is not a canonical UUID, or the test
        already has a different id.

    .. versionadded:: 1.0
    """
    if not isinstance(test_id, str) or not _UUID.match(test_id):
        raise UsageError(
            "idempotent_id(%r): give a UUID in canonical form, e.g. %r."
            % (test_id, str(uuid.uuid4()))
        )

    def decorate(func: F) -> F:
        existing = getattr(func, IDEMPOTENT_ID_ATTR, None)
        if existing is not None and existing != test_id:
            raise UsageError(
                "%s already has idempotent id %s; a test has exactly one."
                % (getattr(func, "__qualname__", func), existing)
            )
        setattr(func, IDEMPOTENT_ID_ATTR, test_id)
        func = attr("id-%s" % test_id)(func)
        doc = func.__doc__ or ""
        if test_id not in doc:
            func.__doc__ = "%s\n\nTest idempotent id: %s\n" % (doc.rstrip(), test_id)
        return func

    return decorate


def requires_service(*services: str) -> Callable[[T], T]:
    """Skip a test, or a whole test class, unless the services are available.

    Availability comes from configuration and the registry, the same way
    for every service of every plugin (see
    :meth:`TestCase.require_service`).

    :param services: service names, as plugins offer them through
        ``service_clients()``.
    :returns: a decorator for a test method or a :class:`TestCase`
        subclass.
    :raises UsageError: if no service is named or a name is not a string.

    .. versionadded:: 1.0
    """
    if not services or not all(isinstance(s, str) and s for s in services):
        raise UsageError("requires_service() needs one or more service names.")

    def decorate(target: Any) -> Any:
        if isinstance(target, type):
            if not issubclass(target, TestCase):
                raise UsageError(
                    "requires_service() decorates a plugfair.api.TestCase "
                    "subclass or a test method, not %r." % (target,)
                )
            target.required_services = tuple(target.required_services) + tuple(
                s for s in services if s not in target.required_services
            )
            return target

        @functools.wraps(target)
        def wrapper(self: TestCase, *args: Any, **kwargs: Any) -> Any:
            self.require_service(*services)
            return target(self, *args, **kwargs)

        return wrapper

    return decorate


def _call_ignoring(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    ignore: tuple[type[BaseException], ...],
) -> None:
    try:
        func(*args, **kwargs)
    except ignore:
        pass


class ConfigOverride(fixtures.Fixture):
    """Override configuration options for the duration of a fixture.

    The previous values come back on cleanup, including values set by an
    enclosing override of the same option.

    :param conf: the ``ConfigOpts`` to change.
    :param group: the option group (``None`` for ``[DEFAULT]``).
    :param values: option name -> value.
    :raises ConfigError: on setup, if an option is not registered or a value
        does not fit the option's type.
    """

    def __init__(self, conf: cfg.ConfigOpts, group: str | None, **values: Any) -> None:
        super().__init__()
        self.conf = conf
        self.group = group
        self.values = values

    def _setUp(self) -> None:
        from oslo_config import cfg

        stacks = _stacks(self.conf)
        for name, value in self.values.items():
            where = "[%s] %s" % (self.group or "DEFAULT", name)
            try:
                self.conf.set_override(name, value, group=self.group)
            except (cfg.NoSuchOptError, cfg.NoSuchGroupError) as exc:
                raise ConfigError(
                    "Cannot override %s: no such option is registered (%s). "
                    "Check the group and option names; a plugin's options exist "
                    "once the plugin is loaded." % (where, exc)
                ) from exc
            except (ValueError, TypeError) as exc:
                raise ConfigError(
                    "Cannot override %s with %r: %s" % (where, value, exc)
                ) from exc
            stack = stacks.setdefault((self.group, name), [])
            stack.append(value)
            self.addCleanup(self._restore, name, stack)

    def _restore(self, name: str, stack: list[Any]) -> None:
        stack.pop()
        if stack:
            self.conf.set_override(name, stack[-1], group=self.group)
        else:
            self.conf.clear_override(name, group=self.group)


class TestCase(WithAttributes, testtools.TestCase):  # type: ignore[misc]
    """Base class of plugin tests, on :class:`testtools.TestCase`.

    It gives every test the same services, whichever plugin it belongs to:

    * :attr:`conf`, the host configuration, with :meth:`override_config`
      for per-test values;
    * :meth:`make_temp_dir`, a directory removed after the test;
    * log capture: records go to the test's details, shown on failure
      (:attr:`logs`; turn off with ``capture_logs = False``);
    * :meth:`service_client`, another plugin's client by service name;
    * :meth:`require_service` and :attr:`required_services`, skips that
      come from configuration;
    * :meth:`track_resource` and :meth:`add_resource_cleanup`, cleanups
      that run even when the test fails.

    .. versionadded:: 1.0
    """

    #: Services every test of the class needs; the test skips without them.
    required_services: ClassVar[tuple[str, ...]] = ()

    #: Capture logging records into the test's details.
    capture_logs: ClassVar[bool] = True

    #: Lowest level of the captured records.
    log_level: ClassVar[int] = logging.DEBUG

    def setUp(self) -> None:
        super().setUp()
        # The plugin that owns this test is loaded, so its options are
        # registered on self.conf whatever ran before in this process.
        _host().load_owner(self.id())
        #: The :class:`fixtures.FakeLogger` capturing this test's log
        #: records (its ``output`` is the text), or ``None``.
        self.logs: fixtures.FakeLogger | None = None
        if self.capture_logs:
            self.logs = self.useFixture(
                fixtures.FakeLogger(
                    level=self.log_level,
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                )
            )
        if self.required_services:
            self.require_service(*self.required_services)

    # -- host access ---------------------------------------------------

    @property
    def conf(self) -> cfg.ConfigOpts:
        """The host's configuration (shared by the tests of this process)."""
        conf: cfg.ConfigOpts = _host().conf
        return conf

    @property
    def registry(self) -> ServiceClients:
        """Other plugins' service clients (:class:`plugfair.api.ServiceClients`),
        from the plugins the running command resolved."""
        services: ServiceClients = _host().registry
        return services

    def service_client(self, service: str) -> Any:
        """Build the client of ``service``, whichever plugin offers it.

        :param service: a service name.
        :returns: what the offering plugin's factory returns.
        :raises PluginNotFound: if no usable plugin offers it.
        :raises PluginCollision: if two enabled plugins offer it.
        :raises PluginLoadError: if the offering plugin fails.
        """
        return self.registry.service_client(service)

    # -- configuration -------------------------------------------------

    def override_config(self, group: str | None = None, **values: Any) -> None:
        """Set configuration options for this test only.

        :param group: the option group, e.g. ``"dns"``.
        :param values: option name -> value.
        :raises ConfigError: if an option is unknown or a value invalid.
        """
        self.useFixture(ConfigOverride(self.conf, group, **values))

    # -- skips ---------------------------------------------------------

    def require_service(self, *services: str) -> None:
        """Skip this test unless every service named is available.

        A service is available when exactly one enabled, usable plugin
        offers it, ``[plugfair_tests] unavailable_services`` does not list
        it, and ``[plugfair_tests] available_services`` is empty or lists
        it.  The skip reason says which condition failed.
        """
        ctx = _host()
        for service in services:
            reason = ctx.service_unavailable(service)
            if reason:
                self.skipTest("Requires service %r: %s." % (service, reason))

    def require_module(self, module: str, *, install: str) -> Any:
        """Import an optional dependency, or skip this test without it.

        Use it for tests of code that needs something a plain ``pip
        install`` of the plugin does not bring.  The skip reason names the
        module and what to install, for example::

            self.require_module("openstack", install="pip install 'plugfair[openstack]'")

        :param module: the dotted module name to import.
        :param install: how to get it, shown in the skip reason.
        :returns: the imported module.

        .. versionadded:: 1.1
        """
        import importlib

        try:
            return importlib.import_module(module)
        except ImportError as exc:
            self.skipTest(
                "Requires the Python module %r (%s); install it with: %s"
                % (module, exc, install)
            )

    def require_config(self, group: str, *options: str) -> None:
        """Skip this test unless each option of ``group`` has a value.

        Use it for what a plugin needs configured (an endpoint, a
        credential) before its tests can run.  An unregistered option or
        group also skips, naming it.
        """
        from oslo_config import cfg

        for name in options:
            try:
                value = self.conf[group][name]
            except (cfg.NoSuchOptError, cfg.NoSuchGroupError, KeyError):
                self.skipTest("Requires [%s] %s, which is not registered." % (group, name))
            if value is None or value == "" or value == []:
                self.skipTest("Requires [%s] %s to be set." % (group, name))

    # -- resources -----------------------------------------------------

    def make_temp_dir(self) -> str:
        """Create a directory that is removed after the test.

        :returns: its path.
        """
        path: str = self.useFixture(fixtures.TempDir()).path
        return path

    def add_resource_cleanup(
        self,
        func: Callable[..., Any],
        *args: Any,
        ignore: tuple[type[BaseException], ...] = (),
        **kwargs: Any,
    ) -> None:
        """Call ``func(*args, **kwargs)`` after the test, pass or fail.

        Cleanups run last-in, first-out.  One that raises is reported as an
        error of the test and the others still run.

        :param ignore: exception types to ignore, e.g. the client's "not
            found" error for a resource the test already deleted.
        """
        self.addCleanup(_call_ignoring, func, args, kwargs, tuple(ignore))

    def track_resource(
        self,
        resource: T,
        delete: Callable[[T], Any],
        *,
        ignore: tuple[type[BaseException], ...] = (),
    ) -> T:
        """Delete ``resource`` with ``delete(resource)`` after the test.

        Creation and tracking fit in one line::

            zone = self.track_resource(client.create_zone("a."), client.delete_zone)

        :param ignore: exception types ``delete`` may raise harmlessly.
        :returns: ``resource``.
        """
        self.add_resource_cleanup(delete, resource, ignore=ignore)
        return resource
