"""The volume plugin (Cinder).

Entry point: ``volume = plugfair_plugins.volume.plugin:VolumePlugin``
in group ``plugfair.plugins``.
"""
