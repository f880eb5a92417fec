"""What a test id says: its idempotent id and its scheduling group.

Test ids have the form ``package.module.Class.test_method``, optionally
followed by testtools attributes in brackets (``test_x[id-<uuid>,smoke]``)
or a scenario name in parentheses.  Tempest and plugfair mark a test with
an *idempotent id* the same way: the attribute ``id-<uuid>``.
"""

from __future__ import annotations

import re

__all__ = [
    "IDEMPOTENT_ID_ATTR",
    "GROUP_REGEX",
    "idempotent_id_of",
    "scheduling_group",
]

#: Attribute that ``plugfair.api.idempotent_id`` sets on a test function.
IDEMPOTENT_ID_ATTR = "__plugfair_idempotent_id__"

#: The stestr ``group_regex`` of every plugfair run: a test's group is its
#: class (everything before the last dot, ignoring attributes and scenario
#: names), so a class is never split across workers or shards.
GROUP_REGEX = r"[^\[\(]*\."

_GROUP = re.compile(GROUP_REGEX)
_ATTRS = re.compile(r"\[([^\]]*)\]")
_UUID = re.compile(
    r"^id-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


def idempotent_id_of(test_id: str) -> str | None:
    """The idempotent id (a UUID) a test id carries, or ``None``.

    >>> idempotent_id_of("a.B.test_c[id-0b6f4f7e-8a51-4c1d-9d3c-6f3c2a9e7b10,smoke]")
    '0b6f4f7e-8a51-4c1d-9d3c-6f3c2a9e7b10'
    """
    for group in _ATTRS.findall(test_id):
        for attr in group.split(","):
            match = _UUID.match(attr.strip().lower())
            if match:
                return match.group(1)
    return None


def scheduling_group(test_id: str) -> str | None:
    """The scheduling group of a test: its class, as ``"pkg.mod.Class."``.

    Tests of one group always run in the same worker and the same shard,
    so class-level fixtures (``setUpClass``, Tempest's ``resource_setup``)
    run once.  An id without a dot has no group.
    """
    match = _GROUP.match(test_id)
    return match.group(0) if match else None
