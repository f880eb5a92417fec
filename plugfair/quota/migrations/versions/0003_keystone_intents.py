"""The keystone backend's intent journal.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plugfair_quota_intents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("owner", sa.String(300), nullable=False),
        sa.Column("lease_until", sa.Float, nullable=False),
        sa.Column("in_flight", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_plugfair_quota_intents_project_id", "plugfair_quota_intents", ["project_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_plugfair_quota_intents_project_id", "plugfair_quota_intents")
    op.drop_table("plugfair_quota_intents")
