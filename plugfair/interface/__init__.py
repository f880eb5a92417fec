"""Definitions behind :mod:`plugfair.api`.  Private: import ``plugfair.api``."""
