"""Project limits and tracked usage.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plugfair_quota_limits",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("resource", sa.String(128), primary_key=True),
        sa.Column("hard_limit", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("hard_limit >= -1", name="ck_plugfair_quota_limits_hard_limit"),
    )
    op.create_table(
        "plugfair_quota_usages",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("resource", sa.String(128), primary_key=True),
        sa.Column("in_use", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("in_use >= 0", name="ck_plugfair_quota_usages_in_use"),
    )


def downgrade() -> None:
    op.drop_table("plugfair_quota_usages")
    op.drop_table("plugfair_quota_limits")
