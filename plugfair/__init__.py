"""plugfair: one stable plugin interface for tests, CLI commands and quota.

Import :mod:`plugfair.api`; every other module is private.

Importing this package imports nothing else (``plugfair --help`` depends
on it): plugfair's loggers get the library's ``NullHandler`` when they are
made (:func:`plugfair.interface.logs.logger`).
"""

__version__ = "0.2.0"
