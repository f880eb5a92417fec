"""Dashboard sessions, kept server-side.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plugfair_dashboard_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_plugfair_dashboard_sessions_expires_at",
        "plugfair_dashboard_sessions",
        ["expires_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_plugfair_dashboard_sessions_expires_at", "plugfair_dashboard_sessions")
    op.drop_table("plugfair_dashboard_sessions")
