"""The formerly in-tree integrations, shipped as ordinary plugfair plugins.

Each subpackage is one plugin, registered in ``setup.cfg`` under the
``plugfair.plugins`` entry-point group exactly as an outside project would
register it.  Each imports nothing from plugfair but :mod:`plugfair.api`,
and nothing from its siblings: a plugin reaches another plugin's service
through the registry's service clients.
"""
