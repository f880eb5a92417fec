"""The SQL store: engines, the embedded default and schema migrations.

The embedded default is a SQLite file in the user's data directory; it is
created and upgraded on first use.  Any other database (named by
``[quota] connection``) is upgraded explicitly with
``plugfair quota db upgrade``, and used only when it is at the current
revision.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from plugfair.interface.errors import QuotaError
from plugfair.quota.schema import HEAD, VERSION_TABLE

__all__ = [
    "default_url",
    "cache_key",
    "engine_for",
    "reset",
    "current_revision",
    "head_revision",
    "upgrade",
    "ensure_current",
    "WRITE",
]

#: ``Connection.info`` flag: the next transaction writes (SQLite takes the
#: write lock at BEGIN, so two writers never deadlock on lock upgrade).
WRITE = "plugfair_quota_write"

_MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")
_LOCK = threading.Lock()
#: Advisory lock key that serialises schema upgrades on PostgreSQL.
_PG_LOCK = 0x706C7166
#: Engines by :func:`cache_key` (never by the URL itself: it may hold a
#: password).
_ENGINES: dict[str, Engine] = {}
#: :func:`cache_key` of the databases whose schema was found current.
_READY: set[str] = set()
#: Keys the password digests of :func:`cache_key`; random per process, so
#: a digest tells nothing outside it.
_SALT = os.urandom(32)


def default_url() -> str:
    """The URL of the embedded SQLite file in the user's data directory."""
    import platformdirs

    path = platformdirs.user_data_path("plugfair", appauthor=False)
    return "sqlite:///%s" % os.path.join(str(path), "quota.sqlite")


def _display(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for a message
        return "<unparsable URL>"


def cache_key(url: str | sa.engine.URL) -> str:
    """The key of ``url`` in the process-wide caches, without its password.

    The URL is rendered with its password hidden, and the password is
    replaced by a keyed digest (keyed by a random per-process salt), so
    two URLs that differ only in their password still get two engines,
    but no cache holds a password.

    :param url: a SQLAlchemy URL or its text.
    :returns: the key; an unparsable URL gives a digest of the whole text.
    """
    try:
        parsed = sa.engine.make_url(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy raises several kinds
        text = url if isinstance(url, str) else repr(url)
        return "unparsable:" + hmac.new(_SALT, text.encode("utf-8"), hashlib.sha256).hexdigest()
    shown = parsed.render_as_string(hide_password=True)
    secret = parsed.password
    if secret is None:
        return shown
    digest = hmac.new(_SALT, str(secret).encode("utf-8"), hashlib.sha256).hexdigest()
    return "%s#%s" % (shown, digest[:32])


def reset() -> None:
    """Dispose of every cached engine and forget what was checked.

    For tests, and for a process that changed ``[quota] connection``:
    the next :func:`engine_for` creates a fresh engine and checks the
    schema again.
    """
    with _LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
        _READY.clear()
    for engine in engines:
        engine.dispose()


def _sqlite_setup(engine: Engine) -> None:
    """Let plugfair drive SQLite transactions: BEGIN IMMEDIATE for writes.

    Reads run in autocommit mode: a single statement is already a
    consistent snapshot, so no BEGIN round trip is spent on them.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 30000")
        cur.execute("PRAGMA foreign_keys = ON")
        try:
            cur.execute("PRAGMA journal_mode = WAL")
        except Exception:  # noqa: BLE001 - e.g. in-memory database
            pass
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        if conn.info.pop(WRITE, False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def engine_for(url: str) -> Engine:
    """Return the process-wide engine of ``url``, creating it once.

    :raises QuotaError: if the URL is malformed or its driver is missing.
    """
    key = cache_key(url)
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is not None:
            return engine
        try:
            parsed = sa.engine.make_url(url)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several kinds
            raise QuotaError(
                "[quota] connection is not a SQLAlchemy URL (%s; the value is "
                "not shown, as it may hold a password). Use e.g. "
                "sqlite:////path/quota.sqlite or "
                "postgresql+psycopg://user@host/db." % (type(exc).__name__,)
            ) from None
        kwargs: dict[str, Any] = {"future": True}
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                os.makedirs(os.path.dirname(os.path.abspath(database)), exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        try:
            engine = sa.create_engine(parsed, **kwargs)
        except Exception as exc:  # noqa: BLE001 - missing DBAPI, bad options...
            raise QuotaError(
                "Cannot use quota database %s: %s. Install its driver (for "
                "PostgreSQL: pip install 'psycopg[binary]')."
                % (_display(url), exc)
            ) from exc
        if parsed.get_backend_name() == "sqlite":
            _sqlite_setup(engine)
        _ENGINES[key] = engine
        return engine


def _alembic_config(connection: sa.Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", _MIGRATIONS)
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The head revision of the shipped migrations (imports alembic)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", _MIGRATIONS)
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise QuotaError(
            "plugfair's quota migrations have no head revision: the "
            "installation is broken. Reinstall plugfair."
        )
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, ``None`` if it has no schema.

    :raises QuotaError: if the database cannot be reached.
    """
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(VERSION_TABLE):
                return None
            rows = conn.exec_driver_sql("SELECT version_num FROM %s" % VERSION_TABLE).all()
    except sa.exc.SQLAlchemyError as exc:
        raise QuotaError(
            "Cannot reach the quota database %s: %s. Check [quota] connection."
            % (engine.url.render_as_string(hide_password=True), _first_line(exc))
        ) from exc
    return str(rows[0][0]) if rows else None


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to the current revision.

    :returns: ``(revision before, revision after)``.
    :raises QuotaError: if the database cannot be reached or migrated.
    """
    import logging

    # alembic logs its own machinery at INFO, some of it when its modules
    # are first imported ("setup plugin ..."): quiet it before the import
    # unless the application chose a level for it.
    quiet = logging.getLogger("alembic")
    if quiet.level == logging.NOTSET:
        quiet.setLevel(logging.WARNING)
    from alembic import command

    before = current_revision(engine)
    head = HEAD
    if before != head:
        try:
            with engine.connect() as conn:
                conn.info[WRITE] = True
                with conn.begin():
                    if conn.dialect.name == "postgresql":
                        # Serialise concurrent upgrades; the loser then
                        # finds the schema current and does nothing.
                        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%d)" % _PG_LOCK)
                    command.upgrade(_alembic_config(conn), "head")
        except sa.exc.SQLAlchemyError as exc:
            raise QuotaError(
                "Upgrading the quota database %s failed: %s"
                % (engine.url.render_as_string(hide_password=True), _first_line(exc))
            ) from exc
    with _LOCK:
        _READY.add(cache_key(engine.url))
    return before, head


def ensure_current(engine: Engine, *, auto_upgrade: bool) -> None:
    """Make sure the schema is current before the store is used.

    :param auto_upgrade: upgrade it (the embedded default) rather than
        refuse.
    :raises QuotaError: if the schema is missing or old and
        ``auto_upgrade`` is false; the message says to run
        ``plugfair quota db upgrade``.
    """
    key = cache_key(engine.url)
    if key in _READY:
        return
    current = current_revision(engine)
    head = HEAD
    if current != head and auto_upgrade:
        upgrade(engine)
        return
    if current != head:
        raise QuotaError(
            "The quota database %s is at revision %s, but this plugfair needs "
            "revision %s. Run 'plugfair quota db upgrade'."
            % (
                engine.url.render_as_string(hide_password=True),
                current or "<none: no schema>",
                head,
            )
        )
    with _LOCK:
        _READY.add(key)
