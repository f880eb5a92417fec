"""Quota backends, loaded by name from the entry-point group
``plugfair.quota.backends``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugfair.interface.errors import QuotaError

if TYPE_CHECKING:  # pragma: no cover
    from oslo_config import cfg

    from plugfair.quota.backends.base import QuotaBackend

__all__ = ["NAMESPACE", "load_backend"]

#: Entry-point group of quota backends (``name = module:Class``).
NAMESPACE = "plugfair.quota.backends"


def load_backend(conf: cfg.ConfigOpts) -> QuotaBackend:
    """Instantiate the backend named by ``[quota] backend``.

    :raises QuotaError: if no backend of that name is installed or it
        cannot be loaded.
    """
    from typing import Any

    from stevedore import driver
    from stevedore.exception import NoMatches

    from plugfair.quota.backends.base import QuotaBackend

    name = conf.quota.backend
    try:
        manager: Any = driver.DriverManager(
            NAMESPACE,
            name,
            invoke_on_load=True,
            invoke_args=(conf,),
            on_load_failure_callback=_reraise,
        )
    except NoMatches:
        from importlib.metadata import entry_points

        known = sorted(ep.name for ep in entry_points(group=NAMESPACE))
        raise QuotaError(
            "[quota] backend %r is not installed. Installed backends: %s."
            % (name, ", ".join(known) or "none")
        ) from None
    except QuotaError:
        raise
    except Exception as exc:  # noqa: BLE001 - a backend's import or init failed
        raise QuotaError(
            "[quota] backend %r could not be loaded: %s: %s"
            % (name, type(exc).__name__, exc)
        ) from exc
    backend = manager.driver
    if not isinstance(backend, QuotaBackend):
        raise QuotaError(
            "[quota] backend %r is %r, not a QuotaBackend." % (name, type(backend))
        )
    return backend


def _reraise(_manager: object, _entrypoint: object, exc: BaseException) -> None:
    raise exc
