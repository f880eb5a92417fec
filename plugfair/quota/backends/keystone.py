"""The ``keystone`` backend: limits as Keystone unified limits.

* Registered limits (one per declared resource, ``resource_name`` = the
  quota key, ``default_limit`` = the declared default) are created and
  updated from the declarations, against one Keystone service of type
  ``[quota] keystone_service_type`` (created when missing).
* Project limits are what ``quota set`` writes and ``quota delete``
  removes.
* Keystone keeps limits only, never usage: usage the host tracks stays in
  the SQL database of ``[quota] connection``.

Keystone has no multi-request transaction.  A ``set`` creates every new
limit in one request (which Keystone applies all-or-nothing) and then
updates the existing ones; if an update fails, the updates already made
are put back and the created limits are deleted, so the project ends as
it started.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from plugfair.interface.errors import QuotaError
from plugfair.quota.backends.base import Declared, QuotaBackend
from plugfair.quota.backends.sql import SQLLedger

if TYPE_CHECKING:  # pragma: no cover
    from oslo_config import cfg

__all__ = ["KeystoneBackend", "reset_connections"]

LOG = logging.getLogger(__name__)

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
                        self._conn = openstack.connect(cloud=q.keystone_cloud)
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
        return lines

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

    def set_project_limits(
        self,
        project_id: str,
        values: Mapping[str, int],
        declared: Sequence[Declared],
    ) -> None:
        self._check_project(project_id)
        self._ensure_synced(declared)
        existing = self._limits(project_id)
        scope = self._scope()
        create = [
            dict(scope, project_id=project_id, resource_name=k, resource_limit=v)
            for k, v in sorted(values.items())
            if k not in existing
        ]
        update = [(existing[k], v) for k, v in sorted(values.items()) if k in existing]
        created: list[str] = []
        if create:
            made = self._json("Creating project limits", "post", "/limits", json={"limits": create})
            created = [lim["id"] for lim in (made or {}).get("limits", [])]
        done: list[tuple[Any, int]] = []
        try:
            for lim, value in update:
                if int(lim.resource_limit) == value:
                    continue
                self._json(
                    "Updating the limit of %s" % lim.resource_name,
                    "patch",
                    "/limits/%s" % lim.id,
                    json={"limit": {"resource_limit": value}},
                )
                done.append((lim, int(lim.resource_limit)))
        except QuotaError as exc:
            self._undo(done, created)
            raise QuotaError(
                "%s The limits already changed were put back; nothing was "
                "written." % exc.message
            ) from exc

    def _undo(self, done: list[tuple[Any, int]], created: list[str]) -> None:
        for lim, old in reversed(done):
            try:
                self._json(
                    "Restoring the limit of %s" % lim.resource_name,
                    "patch",
                    "/limits/%s" % lim.id,
                    json={"limit": {"resource_limit": old}},
                )
            except QuotaError:
                LOG.exception("Could not restore the limit of %s", lim.resource_name)
        for limit_id in created:
            try:
                self._json("Removing a created limit", "delete", "/limits/%s" % limit_id)
            except QuotaError:
                LOG.exception("Could not remove the created limit %s", limit_id)

    def delete_project_limits(
        self, project_id: str, keys: Sequence[str] | None = None
    ) -> int:
        found = self._limits(project_id)
        chosen = [v for k, v in sorted(found.items()) if keys is None or k in keys]
        removed: list[Any] = []
        try:
            for lim in chosen:
                self._json("Deleting the limit of %s" % lim.resource_name, "delete", "/limits/%s" % lim.id)
                removed.append(lim)
        except QuotaError as exc:
            scope = self._scope()
            restore = [
                dict(scope, project_id=project_id, resource_name=lim.resource_name,
                     resource_limit=int(lim.resource_limit))
                for lim in removed
            ]
            if restore:
                try:
                    self._json("Restoring deleted limits", "post", "/limits", json={"limits": restore})
                except QuotaError:
                    LOG.exception("Could not restore the deleted limits of %s", project_id)
            raise QuotaError(
                "%s The limits already deleted were put back." % exc.message
            ) from exc
        return len(removed)

    # -- usage (tracked in SQL) ---------------------------------------

    def tracked_usage(self, project_id: str, keys: Sequence[str]) -> dict[str, int]:
        return self.ledger.tracked_usage(project_id, keys)

    def snapshot(
        self, project_id: str, keys: Sequence[str]
    ) -> tuple[dict[str, int], dict[str, int]]:
        return self.project_limits(project_id, keys), self.ledger.tracked_usage(project_id, keys)

    def consume(
        self,
        project_id: str,
        deltas: Mapping[str, int],
        defaults: Mapping[str, int],
    ) -> None:
        overrides = self.project_limits(project_id, list(deltas))
        effective = {k: overrides.get(k, defaults[k]) for k in deltas}
        self.ledger.consume(project_id, deltas, defaults, limits_known=effective)

    def close(self) -> None:
        """Forget the connection (it stays shared with other backends)."""
        with self._lock:
            self._conn = None
