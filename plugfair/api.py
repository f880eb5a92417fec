"""The stable interface of plugfair (API 1.1).

This module is the only public surface: a plugin imports from here and
nowhere else in ``plugfair``.  It follows semantic versioning through
:data:`API_VERSION`; names are added in minor versions and removed only in
a major version, after a deprecation cycle.

Importing it is cheap: the CLI, test and quota helpers are loaded on first
use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from plugfair.interface.errors import (
    ConfigError,
    IncompatiblePlugin,
    OverLimit,
    PlugfairError,
    PlugfairWarning,
    PluginCollision,
    PluginError,
    PluginLoadError,
    PluginNotFound,
    PluginValidationError,
    QuotaError,
    QuotaExceeded,
    UsageError,
    deprecated,
)
from plugfair.interface.hosting import HostedPlugin, TestRun
from plugfair.interface.plugin import API_VERSION, Plugin
from plugfair.interface.protocols import QuotaEnforcer, ServiceClients
from plugfair.interface.quota import MAX_LIMIT, UNLIMITED, QuotaResource

if TYPE_CHECKING:  # pragma: no cover
    from plugfair.interface.commands import Command, Lister, ShowOne
    from plugfair.interface.fakecloud import FakeCloud, RecordedRequest
    from plugfair.interface.fakehost import FakeHost
    from plugfair.interface.serviceapi import ServiceAPI, ServiceError
    from plugfair.interface.servicetest import ServiceTestCase
    from plugfair.interface.testcase import (
        ConfigOverride,
        TestCase,
        idempotent_id,
        requires_service,
    )
    from plugfair.interface.testing import PluginDistribution, make_registry

__all__ = [
    # the contract
    "API_VERSION",
    "Plugin",
    "QuotaResource",
    "UNLIMITED",
    "MAX_LIMIT",
    # what a plugin reaches the host through (1.1)
    "ServiceClients",
    "QuotaEnforcer",
    # hosting other ecosystems, preparing test runs (1.1)
    "HostedPlugin",
    "TestRun",
    # service clients over a cloud's service catalog (1.1)
    "ServiceAPI",
    "ServiceError",
    # CLI bases
    "Command",
    "Lister",
    "ShowOne",
    # test seams
    "PluginDistribution",
    "make_registry",
    "FakeCloud",
    "RecordedRequest",
    "FakeHost",
    # test API
    "TestCase",
    "ServiceTestCase",
    "ConfigOverride",
    "idempotent_id",
    "requires_service",
    # errors and warnings
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

# Names whose implementation pulls in a heavy library (cliff, fixtures...)
# are resolved on first access.
_LAZY = {
    "Command": "plugfair.interface.commands",
    "Lister": "plugfair.interface.commands",
    "ShowOne": "plugfair.interface.commands",
    "PluginDistribution": "plugfair.interface.testing",
    "make_registry": "plugfair.interface.testing",
    "FakeCloud": "plugfair.interface.fakecloud",
    "RecordedRequest": "plugfair.interface.fakecloud",
    "FakeHost": "plugfair.interface.fakehost",
    "ServiceAPI": "plugfair.interface.serviceapi",
    "ServiceError": "plugfair.interface.serviceapi",
    "ServiceTestCase": "plugfair.interface.servicetest",
    "TestCase": "plugfair.interface.testcase",
    "ConfigOverride": "plugfair.interface.testcase",
    "idempotent_id": "plugfair.interface.testcase",
    "requires_service": "plugfair.interface.testcase",
}


#: 1.0 names that are not part of the stable layer: the host's own
#: classes, provided by the composition root (plugfair.interface.provided).
#: Deprecated since 1.1, removed in 2.0; still importable by name, but no
#: longer in ``__all__`` (a star import must not warn).
_DEPRECATED = {
    "Registry": "plugfair.api.ServiceClients (what self.registry is)",
    "Enforcer": "plugfair.api.QuotaEnforcer, from Command.quota_enforcer()",
}


def __getattr__(name: str) -> Any:
    if name in _DEPRECATED:
        import warnings

        from plugfair.interface.provided import provided

        warnings.warn(
            "plugfair.api.%s is deprecated since API 1.1 and will be removed in "
            "API 2.0: use %s." % (name, _DEPRECATED[name]),
            DeprecationWarning,
            stacklevel=2,
        )
        return provided(name)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError("module 'plugfair.api' has no attribute %r" % name)
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    # Only the public names: helpers imported here are not part of the API.
    return sorted(__all__)
