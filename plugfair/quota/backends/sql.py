"""The ``sql`` backend: limits and tracked usage in a SQLAlchemy database."""

from __future__ import annotations

import contextlib
import datetime
import logging
import operator
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from plugfair.interface.errors import OverLimit, QuotaError, QuotaExceeded
from plugfair.quota import store
from plugfair.quota.backends.base import Declared, QuotaBackend, over_limits
from plugfair.quota.schema import limits, usages

if TYPE_CHECKING:  # pragma: no cover
    from oslo_config import cfg
    from sqlalchemy.engine import Engine

__all__ = ["SQLBackend", "SQLLedger"]

LOG = logging.getLogger(__name__)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _insert(dialect: str) -> Any:
    """The dialect's INSERT with ON CONFLICT, or ``None`` for the generic path."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert
    return None


class SQLLedger:
    """The tables of one SQL database, with the operations on them.

    The ``sql`` backend keeps limits and usage here; the ``keystone``
    backend keeps only tracked usage here.
    """

    def __init__(self, url: str | None) -> None:
        #: Whether this is the embedded default (upgraded automatically).
        self.embedded = not url
        self.url = url or store.default_url()
        self._engine: Engine | None = None
        self._read: Engine | None = None
        self._local = threading.local()
        self._queries: dict[int, tuple[str, tuple[str, ...] | None]] = {}
        self._binders: dict[int, tuple[str, Any]] = {}

    def describe(self) -> str:
        shown = sa.engine.make_url(self.url).render_as_string(hide_password=True)
        return shown + (" (embedded default)" if self.embedded else "")

    @property
    def engine(self) -> Engine:
        """The engine, with the schema checked (or created) on first use."""
        if self._engine is None:
            engine = store.engine_for(self.url)
            store.ensure_current(engine, auto_upgrade=self.embedded)
            self._engine = engine
            if engine.dialect.name == "sqlite":
                # Reads already run in autocommit mode (see store).
                self._read = engine
            else:
                self._read = engine.execution_options(isolation_level="AUTOCOMMIT")
        return self._engine

    @property
    def read_engine(self) -> Engine:
        """Engine for single-statement reads (autocommit: one round trip)."""
        engine = self.engine  # sets _read on first use
        return self._read if self._read is not None else engine

    def upgrade(self) -> list[str]:
        engine = store.engine_for(self.url)
        before, after = store.upgrade(engine)
        self._engine = None
        if before == after:
            return ["%s is already at revision %s." % (self.describe(), after)]
        return [
            "Upgraded %s from revision %s to %s."
            % (self.describe(), before or "<none>", after)
        ]

    def _write(self) -> Any:
        conn = self.engine.connect()
        conn.info[store.WRITE] = True
        return conn

    def _guard(self, what: str, exc: sa.exc.SQLAlchemyError) -> QuotaError:
        return QuotaError(
            "%s failed in the quota database %s: %s. Nothing was written."
            % (what, self.describe(), str(exc).splitlines()[0])
        )

    # -- limits -------------------------------------------------------

    def project_limits(
        self, project_id: str, keys: Sequence[str] | None = None
    ) -> dict[str, int]:
        query = sa.select(limits.c.resource, limits.c.hard_limit).where(
            limits.c.project_id == project_id
        )
        if keys is not None:
            if not keys:
                return {}
            query = query.where(limits.c.resource.in_(list(keys)))
        try:
            with self.read_engine.connect() as conn:
                return {row[0]: int(row[1]) for row in conn.execute(query)}
        except sa.exc.SQLAlchemyError as exc:
            raise self._guard("Reading limits", exc) from exc

    def set_project_limits(self, project_id: str, values: Mapping[str, int]) -> None:
        now = _now()
        rows = [
            {"project_id": project_id, "resource": k, "hard_limit": v, "updated_at": now}
            for k, v in sorted(values.items())
        ]
        if not rows:
            return
        try:
            with self._write() as conn, conn.begin():
                insert = _insert(conn.dialect.name)
                if insert is not None:
                    stmt = insert(limits).values(rows)
                    stmt = stmt.on_conflict_do_update(
                        index_elements=[limits.c.project_id, limits.c.resource],
                        set_={
                            "hard_limit": stmt.excluded.hard_limit,
                            "updated_at": stmt.excluded.updated_at,
                        },
                    )
                    conn.execute(stmt)
                else:  # any other database: update, else insert
                    for row in rows:
                        done = conn.execute(
                            limits.update()
                            .where(
                                limits.c.project_id == project_id,
                                limits.c.resource == row["resource"],
                            )
                            .values(hard_limit=row["hard_limit"], updated_at=now)
                        )
                        if not done.rowcount:
                            conn.execute(limits.insert().values(row))
        except sa.exc.SQLAlchemyError as exc:
            raise self._guard("Setting limits", exc) from exc

    def delete_project_limits(
        self, project_id: str, keys: Sequence[str] | None = None
    ) -> int:
        stmt = limits.delete().where(limits.c.project_id == project_id)
        if keys is not None:
            stmt = stmt.where(limits.c.resource.in_(list(keys)))
        try:
            with self._write() as conn, conn.begin():
                return int(conn.execute(stmt).rowcount or 0)
        except sa.exc.SQLAlchemyError as exc:
            raise self._guard("Deleting limits", exc) from exc

    # -- usage --------------------------------------------------------

    def tracked_usage(self, project_id: str, keys: Sequence[str]) -> dict[str, int]:
        if not keys:
            return {}
        query = sa.select(usages.c.resource, usages.c.in_use).where(
            usages.c.project_id == project_id, usages.c.resource.in_(list(keys))
        )
        try:
            with self.read_engine.connect() as conn:
                return {row[0]: int(row[1]) for row in conn.execute(query)}
        except sa.exc.SQLAlchemyError as exc:
            raise self._guard("Reading usage", exc) from exc

    # -- the enforcement read path --------------------------------------
    #
    # Enforcer.check runs one query per call, so its path is kept close to
    # the bare driver: the statement is compiled once per number of keys,
    # and each thread keeps its own driver connection in autocommit mode
    # (detached from the pool, so threads never starve the pool).

    def snapshot_query(self, count: int) -> tuple[str, tuple[str, ...] | None]:
        """The driver-level SQL reading overrides and usage of ``count`` keys.

        :returns: ``(sql, order)``: ``order`` gives the parameter names in
            position order for positional drivers, ``None`` for drivers
            that take a dict.  Parameters: ``p`` (project), ``k0``...
        """
        query = self._queries.get(count)
        if query is None:
            keys: list[Any] = [sa.bindparam("k%d" % i) for i in range(count)]
            project: Any = sa.bindparam("p")
            stmt = sa.select(
                sa.literal_column("'l'"), limits.c.resource, limits.c.hard_limit
            ).where(limits.c.project_id == project, limits.c.resource.in_(keys)).union_all(
                sa.select(sa.literal_column("'u'"), usages.c.resource, usages.c.in_use).where(
                    usages.c.project_id == project, usages.c.resource.in_(keys)
                )
            )
            compiled = stmt.compile(dialect=self.engine.dialect)
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            query = (compiled.string, order)
            self._queries[count] = query
        return query

    def _reader(self) -> Any:
        local = self._local
        conn: Any = getattr(local, "conn", None)
        if conn is None or local.pid != os.getpid():
            engine = self.engine
            fairy = engine.raw_connection()
            fairy.detach()
            conn = fairy.dbapi_connection
            if engine.dialect.name != "sqlite":  # SQLite reads already autocommit
                engine.dialect.set_isolation_level(conn, "AUTOCOMMIT")
            local.conn = conn
            local.pid = os.getpid()
        return conn

    def _drop_reader(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - it is broken already
                pass

    def _binder(self, count: int) -> tuple[str, Any]:
        """The SQL of ``count`` keys and a function ``[project, *keys] -> params``."""
        found = self._binders.get(count)
        if found is None:
            sql, order = self.snapshot_query(count)
            if order is not None:
                getter = operator.itemgetter(
                    *(0 if name == "p" else int(name[1:]) + 1 for name in order)
                )
                found = (sql, getter)
            else:
                names = ("p",) + tuple("k%d" % i for i in range(count))
                found = (sql, lambda values: dict(zip(names, values, strict=True)))
            self._binders[count] = found
        return found

    def snapshot(
        self, project_id: str, keys: Sequence[str]
    ) -> tuple[dict[str, int], dict[str, int]]:
        """``(overrides, tracked usage)`` of ``keys`` in one statement."""
        if not keys:
            return {}, {}
        sql, bind = self._binder(len(keys))
        params = bind([project_id, *keys])
        overrides: dict[str, int] = {}
        used: dict[str, int] = {}
        for attempt in (1, 2):
            try:
                cur = self._reader().cursor()
                try:
                    cur.execute(sql, params)
                    rows = cur.fetchall()
                finally:
                    cur.close()
                break
            except QuotaError:
                raise
            except Exception as exc:  # noqa: BLE001 - the driver's own errors
                self._drop_reader()
                if attempt == 2 or not self._is_disconnect(exc):
                    raise QuotaError(
                        "Reading limits and usage failed in the quota database "
                        "%s: %s" % (self.describe(), str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                    ) from exc
        for kind, key, value in rows:
            (overrides if kind == "l" else used)[key] = int(value)
        return overrides, used

    def _is_disconnect(self, exc: Exception) -> bool:
        dbapi = self.engine.dialect.loaded_dbapi
        if not isinstance(exc, dbapi.Error):
            return False
        return bool(self.engine.dialect.is_disconnect(exc, None, None))

    @staticmethod
    def _lock_rows(conn: sa.Connection, project_id: str, keys: Sequence[str]) -> dict[str, int]:
        """Create the usage rows of ``keys`` if missing and lock them.

        :returns: the usage each row holds.
        """
        insert = _insert(conn.dialect.name)
        now = _now()
        seed = [
            {"project_id": project_id, "resource": k, "in_use": 0, "updated_at": now}
            for k in keys
        ]
        if not seed:
            return {}
        if insert is not None:
            conn.execute(insert(usages).values(seed).on_conflict_do_nothing())
        else:
            have = set(
                conn.scalars(
                    sa.select(usages.c.resource).where(
                        usages.c.project_id == project_id,
                        usages.c.resource.in_(list(keys)),
                    )
                )
            )
            for row in seed:
                if row["resource"] not in have:
                    conn.execute(usages.insert().values(row))
        locked = conn.execute(
            sa.select(usages.c.resource, usages.c.in_use)
            .where(usages.c.project_id == project_id, usages.c.resource.in_(list(keys)))
            .order_by(usages.c.resource)
            .with_for_update()
        )
        return {row[0]: int(row[1]) for row in locked}

    @contextlib.contextmanager
    def locked(self, project_id: str, keys: Sequence[str]) -> Iterator[sa.Connection]:
        """A write transaction holding the usage rows of ``keys`` locked.

        :meth:`consume` takes the same locks, so whatever runs inside is
        serialised with every ``consume`` of those keys.

        :raises QuotaError: if the database fails (the transaction is
            rolled back).
        """
        try:
            with self._write() as conn, conn.begin():
                self._lock_rows(conn, project_id, sorted(keys))
                yield conn
        except sa.exc.SQLAlchemyError as exc:
            raise self._guard("Writing", exc) from exc

    def consume(
        self,
        project_id: str,
        deltas: Mapping[str, int],
        defaults: Mapping[str, int],
        *,
        limits_known: Mapping[str, int] | None = None,
        limits_under_lock: Callable[[sa.Connection], Mapping[str, int]] | None = None,
    ) -> None:
        """Check and record ``deltas`` in one transaction.

        :param limits_known: effective limits fetched elsewhere; when
            ``None`` the overrides are read in the same transaction.
        :param limits_under_lock: reads the effective limits once the
            usage rows are locked (the keystone backend: Keystone is read
            while no write of those keys can run); it may raise to abort.
        """
        keys = sorted(deltas)
        now = _now()
        try:
            with self._write() as conn, conn.begin():
                current = self._lock_rows(conn, project_id, keys)
                if limits_under_lock is not None:
                    effective = dict(limits_under_lock(conn))
                elif limits_known is None:
                    found = conn.execute(
                        sa.select(limits.c.resource, limits.c.hard_limit).where(
                            limits.c.project_id == project_id,
                            limits.c.resource.in_(keys),
                        )
                    )
                    effective = dict(defaults)
                    effective.update({row[0]: int(row[1]) for row in found})
                else:
                    effective = dict(limits_known)
                over = over_limits(deltas, effective, current)
                if over:
                    raise QuotaExceeded(project_id, [OverLimit(*o) for o in over])
                updates = []
                for key in keys:
                    new = current.get(key, 0) + deltas[key]
                    if new < 0:
                        LOG.warning(
                            "Releasing %d of %s for project %s would make its "
                            "tracked usage negative (%d); recording 0.",
                            -deltas[key], key, project_id, new,
                        )
                        new = 0
                    updates.append({"p": project_id, "r": key, "v": new, "t": now})
                conn.execute(
                    usages.update()
                    .where(
                        usages.c.project_id == sa.bindparam("p"),
                        usages.c.resource == sa.bindparam("r"),
                    )
                    .values(in_use=sa.bindparam("v"), updated_at=sa.bindparam("t")),
                    updates,
                )
        except sa.exc.SQLAlchemyError as exc:
            raise self._guard("Recording usage", exc) from exc


class SQLBackend(QuotaBackend):
    """Limits and tracked usage in the database of ``[quota] connection``.

    The embedded default is a SQLite file in the user's data directory.
    """

    name = "sql"

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        self.ledger = SQLLedger(conf.quota.connection)

    def describe(self) -> str:
        return "sql: " + self.ledger.describe()

    def prepare(self, declared: Sequence[Declared], *, explicit: bool) -> list[str]:
        return self.ledger.upgrade()

    def project_limits(
        self, project_id: str, keys: Sequence[str] | None = None
    ) -> dict[str, int]:
        return self.ledger.project_limits(project_id, keys)

    def set_project_limits(
        self,
        project_id: str,
        values: Mapping[str, int],
        declared: Sequence[Declared],
    ) -> None:
        self.ledger.set_project_limits(project_id, values)

    def delete_project_limits(
        self, project_id: str, keys: Sequence[str] | None = None
    ) -> int:
        return self.ledger.delete_project_limits(project_id, keys)

    def tracked_usage(self, project_id: str, keys: Sequence[str]) -> dict[str, int]:
        return self.ledger.tracked_usage(project_id, keys)

    def snapshot(
        self, project_id: str, keys: Sequence[str]
    ) -> tuple[dict[str, int], dict[str, int]]:
        return self.ledger.snapshot(project_id, keys)

    def consume(
        self,
        project_id: str,
        deltas: Mapping[str, int],
        defaults: Mapping[str, int],
    ) -> None:
        self.ledger.consume(project_id, deltas, defaults)
