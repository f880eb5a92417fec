"""Alembic migrations of the SQL quota store."""
