"""plugfair's own commands, provided by the plugin ``plugfair``."""
