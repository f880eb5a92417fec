"""A WSGI entry point, to run the dashboard behind any WSGI server.

For example, with gunicorn::

    PLUGFAIR_CONFIG_FILE=/etc/plugfair/plugfair.conf \\
        gunicorn 'plugfair.dashboard.wsgi:create_wsgi_app()'

Every instance that shares the configuration (quota store and admin
token) serves the same data and accepts the same browser sessions.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

__all__ = ["create_wsgi_app"]


def create_wsgi_app(
    config_files: Sequence[str] | None = None,
    config_dirs: Sequence[str] | None = None,
) -> Any:
    """Build the dashboard from plugfair's configuration.

    :param config_files: configuration files; by default the
        ``os.pathsep``-separated list in ``PLUGFAIR_CONFIG_FILE``, else the
        usual places (see ``plugfair --help``).
    :param config_dirs: configuration directories; by default
        ``PLUGFAIR_CONFIG_DIR``, else the usual places.
    :returns: the WSGI application.
    :raises ConfigError: if the configuration cannot be read.
    """
    from plugfair.config.loader import build_conf
    from plugfair.dashboard.app import create_app
    from plugfair.quota.service import QuotaService
    from plugfair.registry.core import Registry

    if config_files is None:
        config_files = [p for p in os.environ.get("PLUGFAIR_CONFIG_FILE", "").split(os.pathsep) if p]
    if config_dirs is None:
        config_dirs = [p for p in os.environ.get("PLUGFAIR_CONFIG_DIR", "").split(os.pathsep) if p]
    conf = build_conf(config_files, config_dirs)
    registry = Registry.discover(conf)
    # the service and the app register their own [quota] and [dashboard]
    # options on conf
    return create_app(QuotaService(registry, conf), conf)
