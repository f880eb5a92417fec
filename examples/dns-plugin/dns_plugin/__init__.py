"""A DNS plugin for plugfair, shipped out of plugfair's tree.

Entry point: ``dns = dns_plugin.plugin:DnsPlugin`` in group
``plugfair.plugins``.  It imports nothing from plugfair but
:mod:`plugfair.api`, exactly like the in-tree plugins, and gets exactly
what they get.
"""

__version__ = "1.0.0"
