"""The identity plugin (Keystone).

Entry point: ``identity = plugfair_plugins.identity.plugin:IdentityPlugin``
in group ``plugfair.plugins``.
"""
