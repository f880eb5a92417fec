"""The ``keystone`` backend: limits as Keystone unified limits.

* Registered limits (one per declared resource, ``resource_name`` = the
  quota key, ``default_limit`` = the declared default) are created and
  updated from the declarations, against one Keystone service of type
  ``[quota] keystone_service_type`` (created when missing).
* Project limits are what ``quota set`` writes and ``quota delete``
  removes.
* Keystone keeps limits only, never usage: usage the host tracks stays in
  the SQL database of ``[quota] connection``.

Keystone has no multi-request transaction.  A ``set`` (or ``delete``)
of several keys records an intent in the SQL store first, with every
key's limit before it (:mod:`plugfair.quota.backends.journal`); it then
creates every new limit in one request (which Keystone applies
all-or-nothing) and updates the existing ones, and removes the intent.
If a request fails, every key is put back at once; if the process dies
between requests, the next plugfair process that uses the project (or
``plugfair quota db upgrade``) puts them back.  ``consume`` reads the
limits while holding the keys' usage rows and waits for a live intent on
them, so it never checks against a limit a concurrent ``set`` is
changing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from plugfair.interface.errors import QuotaError
from plugfair.quota.backends import journal as jr
from plugfair.quota.backends.base import Declared, QuotaBackend
from plugfair.quota.backends.journal import Busy, Intent, Journal, Stale, busy_error
from plugfair.quota.backends.sql import SQLLedger

if TYPE_CHECKING:  # pragma: no cover
    from oslo_config import cfg

__all__ = ["KeystoneBackend", "reset_connections"]

LOG = logging.getLogger(__name__)

#: Seconds one Keystone request may take (shorter than a journal lease).
REQUEST_TIMEOUT = 30

# One authenticated connection per set of credentials and process: every
# new connection costs Keystone a password check and a token.  The key
# holds a keyed digest of the password, never the password.
_CONNECTIONS: dict[tuple[Any, ...], Any] = {}
_CONNECTIONS_LOCK = threading.Lock()
_SALT = os.urandom(32)


def _secret_digest(secret: str | None) -> str | None:
    if secret is None:
        return None
    return hmac.new(_SALT, secret.encode("utf-8"), hashlib.sha256).hexdigest()


def reset_connections() -> None:
    """Forget every shared Keystone connection (for tests)."""
    with _CONNECTIONS_LOCK:
        _CONNECTIONS.clear()


class KeystoneBackend(QuotaBackend):
    """Project limits in Keystone; tracked usage in the SQL store."""

    name = "keystone"

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        self.ledger = SQLLedger(conf.quota.connection)
        self.journal = Journal(self.ledger)
        self._conn: Any = None
        self._service_id: str | None = None
        self._synced = False
        self._lock = threading.RLock()

    # -- connection ---------------------------------------------------

    def describe(self) -> str:
        q = self.conf.quota
        where = q.keystone_cloud and "cloud %s" % q.keystone_cloud or q.keystone_auth_url
        return "keystone: unified limits at %s (service type %s); tracked usage in %s" % (
            where or "<not configured>",
            q.keystone_service_type,
            self.ledger.describe(),
        )

    def _error(self, what: str, exc: Exception) -> QuotaError:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return QuotaError(
            "%s failed in Keystone (%s): %s. Check the [quota] keystone_* "
            "options and that the user has a system-scoped admin role."
            % (what, self.describe().split(";")[0], text)
        )

    @property
    def conn(self) -> Any:
        """The openstacksdk connection (system scope), made on first use."""
        with self._lock:
            if self._conn is None:
                try:
                    import openstack
                except ImportError as exc:
                    raise QuotaError(
                        "The keystone quota backend needs openstacksdk: "
                        "pip install 'plugfair[keystone]'."
                    ) from exc
                q = self.conf.quota
                key = (
                    os.getpid(), q.keystone_cloud, q.keystone_auth_url, q.keystone_username,
                    _secret_digest(q.keystone_password), q.keystone_user_domain,
                    q.keystone_region,
                )
                with _CONNECTIONS_LOCK:
                    self._conn = _CONNECTIONS.get(key)
                if self._conn is not None:
                    return self._conn
                try:
                    if q.keystone_cloud:
                        self._conn = openstack.connect(
                            cloud=q.keystone_cloud, api_timeout=REQUEST_TIMEOUT
                        )
                    else:
                        if not (q.keystone_auth_url and q.keystone_username and q.keystone_password):
                            raise QuotaError(
                                "The keystone quota backend needs [quota] "
                                "keystone_cloud, or keystone_auth_url, "
                                "keystone_username and keystone_password."
                            )
                        self._conn = openstack.connect(
                            auth_url=q.keystone_auth_url,
                            username=q.keystone_username,
                            password=q.keystone_password,
                            user_domain_name=q.keystone_user_domain,
                            system_scope="all",
                            region_name=q.keystone_region,
                            load_yaml_config=False,
                            load_envvars=False,
                            api_timeout=REQUEST_TIMEOUT,
                        )
                except QuotaError:
                    raise
                except Exception as exc:  # noqa: BLE001 - openstacksdk raises many kinds
                    raise self._error("Connecting", exc) from exc
                with _CONNECTIONS_LOCK:
                    _CONNECTIONS[key] = self._conn
            return self._conn

    def _call(self, what: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except QuotaError:
            raise
        except Exception as exc:  # noqa: BLE001 - openstacksdk raises many kinds
            raise self._error(what, exc) from exc

    def _json(self, what: str, method: str, url: str, **kwargs: Any) -> Any:
        response = self._call(what, getattr(self.conn.identity, method), url, **kwargs)
        if response.status_code >= 400:
            try:
                detail = response.json()["error"]["message"]
            except Exception:  # noqa: BLE001 - any non-JSON error body
                detail = response.text[:200]
            raise QuotaError(
                "%s failed in Keystone: HTTP %d: %s" % (what, response.status_code, detail)
            )
        return response.json() if response.content else None

    @property
    def service_id(self) -> str:
        """ID of the Keystone service the limits belong to (created if missing)."""
        with self._lock:
            if self._service_id is None:
                kind = self.conf.quota.keystone_service_type
                found = self._call(
                    "Listing services", lambda: list(self.conn.identity.services(type=kind))
                )
                if found:
                    self._service_id = str(sorted(found, key=lambda s: s.id)[0].id)
                else:
                    made = self._call(
                        "Creating the service",
                        self.conn.identity.create_service,
                        type=kind,
                        name=kind,
                        description="Quotas declared by plugfair plugins.",
                    )
                    self._service_id = str(made.id)
            return self._service_id

    def _scope(self) -> dict[str, str]:
        scope = {"service_id": self.service_id}
        if self.conf.quota.keystone_region:
            scope["region_id"] = self.conf.quota.keystone_region
        return scope

    # -- registered limits (the declarations) -------------------------

    def _sync(self, declared: Sequence[Declared]) -> list[str]:
        scope = self._scope()
        existing = {
            rl.resource_name: rl
            for rl in self._call(
                "Listing registered limits",
                lambda: list(self.conn.identity.registered_limits(**scope)),
            )
        }
        create = []
        lines = []
        for key, res in declared:
            rl = existing.get(key)
            if rl is None:
                create.append(
                    dict(scope, resource_name=key, default_limit=res.default,
                         description=res.description)
                )
            elif rl.default_limit != res.default or (rl.description or "") != res.description:
                self._json(
                    "Updating the registered limit of %s" % key,
                    "patch",
                    "/registered_limits/%s" % rl.id,
                    json={"registered_limit": {
                        "default_limit": res.default, "description": res.description}},
                )
                lines.append("Updated the registered limit of %s to %d." % (key, res.default))
        if create:
            self._json(
                "Creating registered limits",
                "post",
                "/registered_limits",
                json={"registered_limits": create},
            )
            lines.append("Created %d registered limit(s) in Keystone." % len(create))
        self._synced = True
        return lines

    def _ensure_synced(self, declared: Sequence[Declared]) -> None:
        with self._lock:
            if not self._synced:
                self._sync(declared)

    def prepare(self, declared: Sequence[Declared], *, explicit: bool) -> list[str]:
        lines = self.ledger.upgrade()
        with self._lock:
            lines += self._sync(declared) or [
                "The %d registered limit(s) in Keystone are up to date." % len(declared)
            ]
        return lines + self.recover()

    # -- project limits -----------------------------------------------

    def _limits(self, project_id: str) -> dict[str, Any]:
        scope = self._scope()
        return {
            lim.resource_name: lim
            for lim in self._call(
                "Reading project limits",
                lambda: list(self.conn.identity.limits(project_id=project_id, **scope)),
            )
        }

    def project_limits(
        self, project_id: str, keys: Sequence[str] | None = None
    ) -> dict[str, int]:
        found = self._limits(project_id)
        wanted = set(keys) if keys is not None else None
        return {
            k: int(v.resource_limit)
            for k, v in found.items()
            if wanted is None or k in wanted
        }

    def _check_project(self, project_id: str) -> None:
        from openstack import exceptions

        try:
            self.conn.identity.get_project(project_id)
        except exceptions.NotFoundException:
            raise QuotaError(
                "Project %r does not exist in Keystone. Give the project's id "
                "(openstack project list). Nothing was written." % project_id
            ) from None
        except Exception as exc:  # noqa: BLE001 - openstacksdk raises many kinds
            raise self._error("Looking up the project", exc) from exc

    # -- multi-key writes, journalled ---------------------------------

    def _values(self, project_id: str, keys: Sequence[str] | None) -> dict[str, int | None]:
        """Each key's current project limit (``None``: it has none)."""
        found = self._limits(project_id)
        chosen = sorted(found) if keys is None else sorted(keys)
        return {k: int(found[k].resource_limit) if k in found else None for k in chosen}

    def _journalled(
        self, project_id: str, keys: Sequence[str], apply: Callable[[Intent], None]
    ) -> None:
        """Run ``apply`` under an intent on ``keys``: all of it or none.

        If ``apply`` fails, every key is put back at once; if that fails
        too (or the process dies), the intent stays and the next use of
        the project puts them back.
        """
        intent = self.journal.begin(
            project_id, keys, lambda: self._values(project_id, keys), self._recover_one
        )
        try:
            apply(intent)
        except QuotaError as exc:
            try:
                self._restore(intent)
            except QuotaError:
                LOG.exception("Could not put back the limits of project %s", project_id)
                raise QuotaError(
                    "%s Putting the limits already changed back failed too: the "
                    "next plugfair command that uses project %s puts them back "
                    "(run 'plugfair quota show --project %s')."
                    % (exc.message, project_id, project_id)
                ) from exc
            self.journal.finish(intent)
            raise QuotaError(
                "%s The limits already changed were put back; nothing was "
                "written." % exc.message
            ) from exc
        self.journal.finish(intent)

    def _send(self, intent: Intent, what: str, method: str, url: str, **kwargs: Any) -> Intent:
        """One Keystone request of a journalled write.

        The lease is renewed and the request marked under way before it is
        sent, and marked answered after (whatever the answer), so a
        rollback after a crash knows whether to wait for it to settle.
        """
        intent = self.journal.renew(intent)
        try:
            answer = self._json(what, method, url, **kwargs)
        finally:
            intent = self.journal.settled(intent)
        wanted = (kwargs.get("json") or {}).get("limit", {}).get("resource_limit")
        got = (answer or {}).get("limit", {}).get("resource_limit") if method == "patch" else None
        if method == "patch" and got != wanted:
            raise QuotaError(
                "%s failed in Keystone: it answered limit %r, not %r." % (what, got, wanted)
            )
        return intent

    def _create(self, intent: Intent, what: str, values: Mapping[str, int]) -> Intent:
        """Create project limits (one request, all or nothing in Keystone)."""
        scope = self._scope()
        new = [dict(scope, project_id=intent.project_id, resource_name=k, resource_limit=v)
               for k, v in sorted(values.items())]
        return self._send(intent, what, "post", "/limits", json={"limits": new})

    def _put(self, intent: Intent, what: str, lim: Any, value: int) -> Intent:
        """Change an existing project limit to ``value``.

        Keystone ignores an update to 0 (it answers 200 and keeps the old
        limit), so a limit of 0 is deleted and created again.
        """
        if value != 0:
            return self._send(intent, what, "patch", "/limits/%s" % lim.id,
                              json={"limit": {"resource_limit": value}})
        intent = self._send(intent, what + " (to 0: removing it)", "delete", "/limits/%s" % lim.id)
        return self._create(intent, what + " (to 0: creating it)", {lim.resource_name: 0})

    def _restore(self, intent: Intent) -> None:
        """Put every key of ``intent`` back to its value before (idempotent)."""
        current = self._limits(intent.project_id)
        for key, old in sorted(intent.before.items()):
            lim = current.get(key)
            what = "Restoring the limit of %s" % key
            if lim is None:
                if old is not None:
                    intent = self._create(intent, what, {key: old})
            elif old is None:
                intent = self._send(intent, what + " (removing it)", "delete", "/limits/%s" % lim.id)
            elif int(lim.resource_limit) != old:
                intent = self._put(intent, what, lim, old)

    def _recover_one(self, intent: Intent) -> bool:
        """Roll back a dead intent; ``False`` if another process does it."""
        mine = self.journal.claim(intent)
        if mine is None:
            return False
        LOG.warning(
            "Rolling back an interrupted change of project %s's limits (%s) left by %s.",
            intent.project_id, ", ".join(sorted(intent.before)), intent.owner,
        )
        self._restore(mine)
        self.journal.finish(mine)
        return True

    def recover(self, project_id: str | None = None) -> list[str]:
        """Roll back the dead intents of a project (of all with ``None``).

        :returns: a line per intent rolled back.
        """
        lines = []
        for intent in self.journal.pending(project_id):
            if intent.dead() and self._recover_one(intent):
                lines.append(
                    "Rolled back an interrupted change of project %s's limits (%s)."
                    % (intent.project_id, ", ".join(sorted(intent.before)))
                )
        return lines

    def set_project_limits(
        self,
        project_id: str,
        values: Mapping[str, int],
        declared: Sequence[Declared],
    ) -> None:
        self._check_project(project_id)
        self._ensure_synced(declared)
        self._journalled(project_id, sorted(values), lambda intent: self._apply(intent, values))

    def _apply(self, intent: Intent, values: Mapping[str, int]) -> None:
        """Create the new limits in one request, then update the others."""
        create = {k: v for k, v in values.items() if intent.before.get(k) is None}
        if create:
            intent = self._create(intent, "Creating project limits", create)
        changed = {k: v for k, v in values.items() if intent.before.get(k) not in (None, v)}
        if not changed:
            return
        current = self._limits(intent.project_id)
        for key, value in sorted(changed.items()):
            intent = self._put(intent, "Updating the limit of %s" % key, current[key], value)

    def delete_project_limits(
        self, project_id: str, keys: Sequence[str] | None = None
    ) -> int:
        self.recover(project_id)
        found = self._limits(project_id)
        chosen = sorted(k for k in found if keys is None or k in keys)
        if not chosen:
            return 0
        removed: list[str] = []

        def apply(intent: Intent) -> None:
            current = self._limits(project_id)
            for key in chosen:
                if key in current:
                    intent = self._send(intent, "Deleting the limit of %s" % key, "delete",
                                        "/limits/%s" % current[key].id)
                    removed.append(key)

        self._journalled(project_id, chosen, apply)
        return len(removed)

    # -- usage (tracked in SQL) ---------------------------------------

    def tracked_usage(self, project_id: str, keys: Sequence[str]) -> dict[str, int]:
        return self.ledger.tracked_usage(project_id, keys)

    def snapshot(
        self, project_id: str, keys: Sequence[str]
    ) -> tuple[dict[str, int], dict[str, int]]:
        self.recover(project_id)
        return self.project_limits(project_id, keys), self.ledger.tracked_usage(project_id, keys)

    def consume(
        self,
        project_id: str,
        deltas: Mapping[str, int],
        defaults: Mapping[str, int],
    ) -> None:
        """Check and record ``deltas`` against the Keystone limits.

        The limits are read while the usage rows are locked and no intent
        holds the keys, so a concurrent ``quota set`` either finished
        before the read or starts after the usage is recorded.
        """
        keys = sorted(deltas)

        def limits_now(conn: Any) -> dict[str, int]:
            self.journal.check(conn, project_id, keys)
            overrides = self.project_limits(project_id, keys)
            return {k: overrides.get(k, defaults[k]) for k in keys}

        deadline = time.monotonic() + jr.WAIT
        pause = 0.02
        while True:
            try:
                self.ledger.consume(project_id, deltas, defaults, limits_under_lock=limits_now)
                return
            except Stale as stale:
                self._recover_one(stale.intent)
            except Busy as busy:
                if time.monotonic() > deadline:
                    raise busy_error(project_id, busy.intent) from None
                time.sleep(pause)
                pause = min(0.5, pause * 2)

    def close(self) -> None:
        """Forget the connection (it stays shared with other backends)."""
        with self._lock:
            self._conn = None
