"""The intent journal: writes of several Keystone limits that survive a crash.

Keystone has no transaction over several requests.  So before the first
request of a multi-key ``quota set`` or ``quota delete``, the keystone
backend records an *intent* in the SQL store (the one of ``[quota]
connection``): the project, and every key's limit before the write (or
none).  The intent is removed after the last request.  If the process
dies in between, the intent stays, and the next plugfair process that
uses the project rolls it back: it puts every key back to its value
before, so the write is all or nothing.

An intent is also a lock.  It is written in a transaction that holds the
usage rows of its keys (:meth:`~plugfair.quota.backends.sql.SQLLedger.locked`),
the rows ``consume`` locks too; and ``consume`` of a key waits while an
intent on that key is live.  So a ``consume`` never checks against a limit
that a concurrent ``set`` is changing.

Who may roll back whose intent: each intent has an owner (``host:pid``)
and a lease, renewed before each Keystone request, and says whether a
request is under way.  An intent is *dead* when its lease has run out, or
when its owner ran on this host and that process is gone -- but only once
a request it may have sent has settled: Keystone may still apply a
request whose sender died, so a rollback waits :data:`SETTLE` seconds
after the last renewal before it reads what to put back.  A dead intent
is claimed (compare-and-set on owner and lease) before it is rolled back,
so two processes never roll back one intent at once.  Leases assume
clocks within a minute of each other.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from plugfair.interface.errors import QuotaError
from plugfair.quota.schema import intents
from plugfair.quota.store import WRITE

if TYPE_CHECKING:  # pragma: no cover
    from plugfair.quota.backends.sql import SQLLedger

__all__ = ["Intent", "Journal", "Busy", "Stale", "LEASE", "WAIT", "SETTLE", "owner_id"]

#: Seconds an owner's lease lasts; renewed before every Keystone request
#: (whose own timeout is shorter).
LEASE = 120.0

#: Seconds a writer or ``consume`` waits for a live intent on its keys.
WAIT = 60.0

#: Seconds after which a request sent by a process that died has surely
#: been applied or dropped by Keystone (the requests' own timeout).
SETTLE = 30.0


def owner_id() -> str:
    """``host:pid`` of this process."""
    return "%s:%d" % (socket.gethostname(), os.getpid())


@dataclasses.dataclass(frozen=True)
class Intent:
    """One recorded multi-key write."""

    id: str
    project_id: str
    #: key -> limit before the write (``None``: there was none).
    before: Mapping[str, int | None]
    owner: str
    lease_until: float
    #: Whether the owner has a Keystone request under way.
    in_flight: bool = False

    def overlaps(self, keys: Sequence[str] | None) -> bool:
        """Whether the intent touches any of ``keys`` (``None``: any key)."""
        return keys is None or bool(set(keys) & set(self.before))

    def dead(self, now: float | None = None) -> bool:
        """Whether its owner is gone, and its last request has settled.

        Gone: the lease is over, or the owner ran on this host and its
        process no longer exists (then, if it had a request under way,
        only :data:`SETTLE` seconds after it sent it).
        """
        now = time.time() if now is None else now
        if self.lease_until < now:
            return True
        host, _, pid = self.owner.rpartition(":")
        if host != socket.gethostname() or not pid.isdigit():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return not self.in_flight or self.lease_until - LEASE + SETTLE < now
        except OSError:
            return False  # it exists (another user's process)
        return False


class Busy(Exception):
    """A live intent holds some of the keys; wait and try again."""

    def __init__(self, intent: Intent) -> None:
        super().__init__(intent.id)
        self.intent = intent


class Stale(Exception):
    """A dead intent holds some of the keys; roll it back, then try again."""

    def __init__(self, intent: Intent) -> None:
        super().__init__(intent.id)
        self.intent = intent


def _row(row: Any) -> Intent:
    try:
        before = json.loads(row.before)
    except ValueError:
        before = {}
    return Intent(str(row.id), str(row.project_id), dict(before), str(row.owner),
                  float(row.lease_until), bool(row.in_flight))


class Journal:
    """The intents of one SQL store.

    :param ledger: the SQL store that holds them.
    """

    def __init__(self, ledger: SQLLedger) -> None:
        self.ledger = ledger

    def check(self, conn: sa.Connection, project_id: str, keys: Sequence[str] | None) -> None:
        """Raise if an intent on ``keys`` of the project exists.

        :raises Busy: if a live one does.
        :raises Stale: if a dead one does.
        """
        rows = conn.execute(sa.select(intents).where(intents.c.project_id == project_id))
        for intent in (_row(r) for r in rows):
            if intent.overlaps(keys):
                raise Stale(intent) if intent.dead() else Busy(intent)

    def pending(self, project_id: str | None = None) -> list[Intent]:
        """The intents of a project (of every project with ``None``)."""
        query = sa.select(intents)
        if project_id is not None:
            query = query.where(intents.c.project_id == project_id)
        try:
            with self.ledger.read_engine.connect() as conn:
                return [_row(r) for r in conn.execute(query)]
        except sa.exc.SQLAlchemyError as exc:
            raise self.ledger._guard("Reading the intent journal", exc) from exc

    def begin(
        self,
        project_id: str,
        keys: Sequence[str],
        read_before: Callable[[], Mapping[str, int | None]],
        recover: Callable[[Intent], object],
    ) -> Intent:
        """Record an intent on ``keys``; wait for live ones, roll back dead ones.

        :param read_before: reads each key's current limit; called while
            the keys are locked, so nothing changes them meanwhile.
        :param recover: rolls back a dead intent found on the way.
        :raises QuotaError: if a live intent keeps the keys for
            :data:`WAIT` seconds.
        """
        deadline = time.monotonic() + WAIT
        pause = 0.02
        while True:
            try:
                with self.ledger.locked(project_id, keys) as conn:
                    self.check(conn, project_id, keys)
                    before = dict(read_before())
                    intent = Intent(uuid.uuid4().hex, project_id, before, owner_id(),
                                    time.time() + LEASE)
                    conn.execute(intents.insert().values(
                        id=intent.id, project_id=project_id, before=json.dumps(before),
                        owner=intent.owner, lease_until=intent.lease_until, in_flight=False,
                        created_at=datetime.datetime.now(datetime.UTC)))
                return intent
            except Stale as stale:
                recover(stale.intent)
            except Busy as busy:
                if time.monotonic() > deadline:
                    raise busy_error(project_id, busy.intent) from None
                time.sleep(pause)
                pause = min(0.5, pause * 2)

    def _update(self, intent: Intent, values: dict[str, Any], *, claim: bool = False) -> int:
        """Update ``intent`` if it is still as read; return the rows changed."""
        stmt = intents.update().where(intents.c.id == intent.id, intents.c.owner == intent.owner)
        if claim:
            stmt = stmt.where(intents.c.lease_until == intent.lease_until)
        try:
            with self.ledger.engine.connect() as conn:
                conn.info[WRITE] = True
                with conn.begin():
                    return int(conn.execute(stmt.values(**values)).rowcount or 0)
        except sa.exc.SQLAlchemyError as exc:
            raise self.ledger._guard("Updating the intent journal", exc) from exc

    def renew(self, intent: Intent) -> Intent:
        """Extend the lease and mark a request under way, before sending it.

        :raises QuotaError: if another process took the intent over (this
            one ran past its lease); the caller must stop writing.
        """
        lease = time.time() + LEASE
        if not self._update(intent, {"lease_until": lease, "in_flight": True}):
            raise QuotaError(
                "The write of project %s's limits ran past its lease and another "
                "process took it over to roll it back. Run the command again."
                % intent.project_id
            )
        return dataclasses.replace(intent, lease_until=lease, in_flight=True)

    def settled(self, intent: Intent) -> Intent:
        """Mark the request sent after :meth:`renew` as answered."""
        self._update(intent, {"in_flight": False})
        return dataclasses.replace(intent, in_flight=False)

    def claim(self, intent: Intent) -> Intent | None:
        """Take over a dead intent to roll it back; ``None`` if another did."""
        mine = dataclasses.replace(intent, owner=owner_id(), lease_until=time.time() + LEASE,
                                   in_flight=False)
        done = self._update(intent, {"owner": mine.owner, "lease_until": mine.lease_until,
                                     "in_flight": False}, claim=True)
        return mine if done else None

    def finish(self, intent: Intent) -> None:
        """Remove the intent: the write is complete (or rolled back)."""
        try:
            with self.ledger.engine.connect() as conn:
                conn.info[WRITE] = True
                with conn.begin():
                    conn.execute(intents.delete().where(
                        intents.c.id == intent.id, intents.c.owner == intent.owner))
        except sa.exc.SQLAlchemyError as exc:
            raise self.ledger._guard("Updating the intent journal", exc) from exc


def busy_error(project_id: str, intent: Intent) -> QuotaError:
    """The error of a write or consume that waited too long for ``intent``."""
    return QuotaError(
        "Another process (%s) has been changing limits of project %s (%s) for "
        "over %d s. Try again later; if that process is gone, its change is "
        "rolled back once its lease ends." % (
            intent.owner, project_id, ", ".join(sorted(intent.before)), int(WAIT))
    )
