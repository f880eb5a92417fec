"""The compute plugin (Nova).

Entry point: ``compute = plugfair_plugins.compute.plugin:ComputePlugin``
in group ``plugfair.plugins``.
"""
