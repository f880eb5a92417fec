"""The Tempest bridge: host Tempest's own tests and every installed Tempest
plugin as plugfair plugins, each on its own, with no change to them."""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Sequence
from typing import Any

from plugfair.api import ConfigError, HostedPlugin, Plugin, TestRun

__all__ = ["TempestBridge", "ENTRY_POINT_GROUP"]

#: Where Tempest plugins declare themselves.
ENTRY_POINT_GROUP = "tempest.test_plugins"


class TempestBridge(Plugin):
    """Tempest under plugfair: its own tests and every Tempest plugin.

    Install Tempest with ``pip install 'plugfair[tempest]'``.  Each
    ``tempest.test_plugins`` entry point becomes a plugin named after it,
    and Tempest's own tests the plugin ``tempest``: no head start, no
    privilege.  Before a run, the bridge writes a tempest.conf from the
    hosted plugins' options (or uses ``[tempest_bridge] config_file``) and
    points ``TEMPEST_CONFIG_DIR``/``TEMPEST_CONFIG`` at it.
    """

    name = "tempest_bridge"
    api_version = "1.1"
    description = "Hosts Tempest's own tests and every installed Tempest plugin."

    def config_options(self) -> Sequence[tuple[str, Sequence[Any]]]:
        from plugfair_plugins.tempest import opts

        return [(opts.GROUP, opts.list_opts())]

    def test_package(self) -> str | None:
        return "plugfair_plugins.tempest.tests"

    def hosted_plugins(self) -> Sequence[HostedPlugin]:
        from plugfair_plugins.tempest import hosted

        try:
            tempest = importlib.metadata.distribution("tempest")
        except importlib.metadata.PackageNotFoundError:
            return []  # nothing to host: pip install 'plugfair[tempest]'
        found = [
            HostedPlugin(
                "tempest",
                hosted.load_tempest,
                distribution=tempest.metadata["Name"] or "tempest",
                version=tempest.version,
                module="tempest.config",
                origin="Tempest's own tests",
            )
        ]
        seen = set()
        for ep in sorted(
            importlib.metadata.entry_points(group=ENTRY_POINT_GROUP),
            key=lambda e: (e.name, e.value),
        ):
            if (ep.name, ep.value) in seen:
                continue
            seen.add((ep.name, ep.value))
            dist = ep.dist
            name = hosted.plugin_name(ep.name)
            found.append(
                HostedPlugin(
                    name,
                    hosted.load_tempest_plugin(name, ep),
                    distribution=(dist.metadata["Name"] if dist else None) or "unknown",
                    version=(dist.version if dist else None) or "unknown",
                    module=ep.module,
                    origin="%s: %s = %s" % (ENTRY_POINT_GROUP, ep.name, ep.value),
                )
            )
        return found

    def prepare_test_run(self, run: TestRun) -> None:
        from plugfair_plugins.tempest import hosted, opts, tempestconf

        given = run.conf[opts.GROUP].config_file
        if given:
            path = os.path.abspath(os.path.expanduser(given))
            if not os.path.isfile(path):
                raise ConfigError(
                    "[%s] config_file %s does not exist. Point it at a tempest.conf, "
                    "or unset it to configure Tempest in plugfair.conf." % (opts.GROUP, path)
                )
        else:
            loaded = hosted.loaded()
            if loaded and not any(p.name == "tempest" for p in loaded):
                raise ConfigError(
                    "Tempest's own options ([tempest_identity], [tempest_auth], "
                    "[tempest_service_available]...) belong to the plugin 'tempest', "
                    "which is disabled, so the tempest.conf written for %s would have "
                    "none of them. Enable 'tempest' and choose tests with --plugin, "
                    "or set [%s] config_file."
                    % (", ".join(p.name for p in loaded), opts.GROUP)
                )
            placements = [p for plugin in loaded for p in plugin.placements]
            path = os.path.join(run.directory, "tempest.conf")
            with open(path, "w", encoding="utf-8") as f:
                f.write(tempestconf.render(placements, run.conf))
        run.set_environment("TEMPEST_CONFIG_DIR", os.path.dirname(path))
        run.set_environment("TEMPEST_CONFIG", os.path.basename(path))
