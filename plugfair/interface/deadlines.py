"""How long a plugin hook may take (``[plugfair] hook_timeout``).

The one place the deadline's default and bounds are set.  This module
imports nothing, so the CLI's fast path can read it.
"""

__all__ = ["HOOK_TIMEOUT_DEFAULT", "HOOK_TIMEOUT_MIN", "HOOK_TIMEOUT_MAX"]

#: Seconds a hook (or a plugin's import while probing) may take by default.
HOOK_TIMEOUT_DEFAULT = 10.0
#: The smallest accepted value, in seconds.
HOOK_TIMEOUT_MIN = 0.1
#: The largest accepted value, in seconds.
HOOK_TIMEOUT_MAX = 3600.0
