"""Tables of the SQL quota store (the current shape; migrations build it)."""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["metadata", "limits", "usages", "sessions", "intents", "VERSION_TABLE", "HEAD"]

#: The alembic version table, named so the store can share a database.
VERSION_TABLE = "plugfair_quota_version"

#: The newest migration; a test checks it equals alembic's head, so the
#: steady path can compare revisions without importing alembic.
HEAD = "0003"

metadata = sa.MetaData()

#: A project's own limit for one resource (absent: the declared default).
limits = sa.Table(
    "plugfair_quota_limits",
    metadata,
    sa.Column("project_id", sa.String(64), primary_key=True),
    sa.Column("resource", sa.String(128), primary_key=True),
    sa.Column("hard_limit", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("hard_limit >= -1", name="ck_plugfair_quota_limits_hard_limit"),
)

#: Usage the host tracks for resources whose plugin counts nothing itself.
usages = sa.Table(
    "plugfair_quota_usages",
    metadata,
    sa.Column("project_id", sa.String(64), primary_key=True),
    sa.Column("resource", sa.String(128), primary_key=True),
    sa.Column("in_use", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("in_use >= 0", name="ck_plugfair_quota_usages_in_use"),
)

#: Signed-in dashboard sessions, kept server-side so that logging out ends
#: a session for good (a replayed cookie names a session no longer here).
#: Only a SHA-256 of each session's secret id is stored.
sessions = sa.Table(
    "plugfair_dashboard_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

#: The keystone backend's intent journal: a write of several Keystone
#: limits is recorded here (with every limit's value before it) before
#: its first request, and removed after its last; a record left behind by
#: a process that died is rolled back at the next use of the project.
intents = sa.Table(
    "plugfair_quota_intents",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("project_id", sa.String(64), nullable=False, index=True),
    #: JSON: {key: limit before the write, or null when there was none}.
    sa.Column("before", sa.Text, nullable=False),
    #: ``host:pid`` of the process that holds the intent.
    sa.Column("owner", sa.String(300), nullable=False),
    #: Epoch seconds until which the owner counts as working on it.
    sa.Column("lease_until", sa.Float, nullable=False),
    #: Whether the owner has a Keystone request under way (sent, answer
    #: not yet read): if it dies then, the request may still land.
    sa.Column("in_flight", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
