"""plugfair's loggers, with the library's ``NullHandler``, made on demand.

``import plugfair`` does not import :mod:`logging`: ``plugfair --help``
answers without it.  A module that logs gets its logger from
:func:`logger` when it first logs, which imports :mod:`logging` and
gives the ``plugfair`` logger its ``NullHandler`` (so that, as in any
library, records reach no console unless the application configured
logging).  This module imports nothing.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import logging

__all__ = ["logger"]


def logger(name: str) -> logging.Logger:
    """The logger ``name`` (a ``plugfair...`` module's ``__name__``).

    :param name: the logger's name.
    :returns: ``logging.getLogger(name)``, once the ``plugfair`` logger
        has a ``NullHandler``.
    """
    import logging

    top = logging.getLogger("plugfair")
    if not any(type(h) is logging.NullHandler for h in top.handlers):
        top.addHandler(logging.NullHandler())
    return logging.getLogger(name)
