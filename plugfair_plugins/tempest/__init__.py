"""Tempest under plugfair, unchanged: Tempest's own tests and every
installed Tempest plugin, each hosted as a plugfair plugin of its own."""
