"""plugfair: one stable plugin interface for tests, CLI commands and quota.

Import :mod:`plugfair.api`; every other module is private.
"""

import logging

__version__ = "0.2.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
