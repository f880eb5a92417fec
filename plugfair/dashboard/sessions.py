"""Signed-in sessions, kept server-side in the quota database.

The browser's cookie is signed (Flask), but a signature alone cannot be
taken back: a copied cookie would stay valid after logging out.  So
logging in also creates a session here, named by a random id that only
the signed cookie carries, and logging out deletes it: a replayed cookie
then names a session that no longer exists.  Every dashboard instance
that shares the quota database (``[quota] connection``) shares the
sessions.  Only a SHA-256 of each id is stored.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
import threading

import sqlalchemy as sa

from plugfair.interface.errors import PlugfairError
from plugfair.quota import store
from plugfair.quota.schema import sessions

__all__ = ["SessionStore", "SessionStoreError"]

LOG = logging.getLogger(__name__)


class SessionStoreError(PlugfairError, RuntimeError):
    """The session store cannot be reached (the dashboard answers 503)."""


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class SessionStore:
    """Admin sessions of the dashboard.

    :param url: the quota database (``[quota] connection``); ``None`` is
        the embedded default.
    :param lifetime: seconds a session lasts after logging in.
    """

    def __init__(self, url: str | None, lifetime: float) -> None:
        self.embedded = not url
        self.url = url or store.default_url()
        self.lifetime = lifetime
        self._engine: sa.engine.Engine | None = None
        self._lock = threading.Lock()

    def _db(self) -> sa.engine.Engine:
        with self._lock:
            if self._engine is None:
                engine = store.engine_for(self.url)
                store.ensure_current(engine, auto_upgrade=self.embedded)
                self._engine = engine
            return self._engine

    def _fail(self, what: str, exc: Exception) -> SessionStoreError:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return SessionStoreError(
            "%s failed in the quota database (%s). Check [quota] connection; "
            "run 'plugfair quota db upgrade' if the schema is old." % (what, text)
        )

    def create(self) -> str:
        """Start a session; return its secret id (for the signed cookie).

        Expired sessions are removed on the way.

        :raises SessionStoreError: if the database cannot be written.
        """
        session_id = secrets.token_urlsafe(32)
        now = _now()
        expires = now + datetime.timedelta(seconds=self.lifetime)
        try:
            with self._db().begin() as conn:
                conn.execute(sessions.delete().where(sessions.c.expires_at < now))
                conn.execute(
                    sessions.insert().values(
                        id_hash=_digest(session_id), created_at=now, expires_at=expires
                    )
                )
        except (sa.exc.SQLAlchemyError, PlugfairError) as exc:
            raise self._fail("Starting a session", exc) from exc
        return session_id

    def valid(self, session_id: object) -> bool:
        """Whether ``session_id`` names a live session.

        Fails closed: a database error counts as "no" (and is logged).
        """
        if not isinstance(session_id, str) or not session_id:
            return False
        query = sa.select(sessions.c.expires_at).where(sessions.c.id_hash == _digest(session_id))
        try:
            with self._db().connect() as conn:
                expires = conn.execute(query).scalar()
        except (sa.exc.SQLAlchemyError, PlugfairError):
            LOG.exception("Cannot check a dashboard session; treating it as logged out")
            return False
        if expires is None:
            return False
        if expires.tzinfo is None:  # SQLite gives naive UTC values
            expires = expires.replace(tzinfo=datetime.UTC)
        return bool(expires > _now())

    def end(self, session_id: object) -> None:
        """End a session for good (logging out).

        :raises SessionStoreError: if the database cannot be written.
        """
        if not isinstance(session_id, str) or not session_id:
            return
        try:
            with self._db().begin() as conn:
                conn.execute(sessions.delete().where(sessions.c.id_hash == _digest(session_id)))
        except (sa.exc.SQLAlchemyError, PlugfairError) as exc:
            raise self._fail("Ending a session", exc) from exc
