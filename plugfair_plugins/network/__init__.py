"""The network plugin (Neutron).

Entry point: ``network = plugfair_plugins.network.plugin:NetworkPlugin``
in group ``plugfair.plugins``.
"""
