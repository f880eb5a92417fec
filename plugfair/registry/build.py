"""Build the manifest's records: probe what changed, keep the rest.

:func:`build` lists the distributions that declare plugins
(:mod:`plugfair.registry.distributions`) and probes plugins in child
processes, one plugin per turn
(:func:`plugfair.registry.childproc.host.run_units` with the handler
:func:`plugfair.registry.probe.handler`): a plugin that kills the child,
or stops answering for ``timeout`` seconds, is recorded as failed and a
new child carries on with the rest, and an answer the host did not ask
for is never taken as another plugin's record.  A plugin's record is its
own: nothing another plugin does changes it.

With many plugins, several children probe at once (:func:`_workers`:
one per CPU, each given a contiguous share of the plugins in order).  A
plugin cannot see, in its child, the plugins another child probes; it
can only import them, and what it then does to their classes is judged
as for a plugin whose turn has not come: against what that plugin's own
turn saw.

**Partial probes.**  Given what the last build left (:class:`Previous`),
only these plugins are probed again:

* the plugins of every distribution whose metadata directory was added,
  removed or changed (its ``entry_points.txt``), and new plugins;
* the plugins whose module files changed;
* transitively, every plugin whose probe saw it import the package of a
  plugin probed again or removed (``import`` statements run in its turn,
  and modules first imported in its turn);
* a hosting plugin together with everything it hosts.

Everything is probed again when the last build is unknown, or when a
change touches anything but a plugin's distribution: a library's
distribution, a ``.pth`` or ``.egg-link`` file, a zip or egg on the
path (any plugin may depend on those), or the key (interpreter, path,
plugfair's version, the probe's timeout).

What a partial probe sees and does not see.  The plugins it probes are
watched as in a full probe: one that changes plugfair, or the code of a
plugin it imports (compared with what that plugin's own last turn saw,
kept in the cache), is failed.  It does not run the plugins it keeps, so
it cannot see a kept plugin patch a plugin that is new since that
plugin's last turn (in a full probe, that shows only if the kept plugin
imports the new one); the registry still checks each plugin as a host
loads it (:class:`~plugfair.registry.integrity.LoadGuard`), and
``--no-cache`` probes everything.  A plugin that imports another
plugin's package only through ``importlib.import_module`` after that
package was imported is not seen to depend on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from plugfair.registry.distributions import Dist, Groups, scan, units_of
from plugfair.registry.records import STATUS_FAILED, PluginRecord, Problem

__all__ = ["Previous", "Built", "build"]


class Previous:
    """What the last build left in the cache, and what changed since.

    :param data: the manifest file's data.
    :param stale: indexes of the records whose module files changed.
    :param extra: what the last build kept for this one
        (:meth:`Built.data`), or ``{}``.
    """

    def __init__(self, data: dict[str, Any], stale: list[int], extra: dict[str, Any]) -> None:
        self.state = data.get("state")
        self.rows: list[tuple[Any, ...]] = data["records"]
        #: Metadata directory -> :data:`~plugfair.registry.distributions.Dist`
        #: (``None``: not known, so everything is probed).
        self.dists: dict[str, Dist] | None = extra.get("dists")
        #: ``(ident, ident of its host or None)`` of each record.
        self.units: list[tuple[str, str | None]] | None = extra.get("units")
        #: Top-level plugin ident -> module names its turns imported.
        self.imports: dict[str, tuple[str, ...]] = extra.get("imports") or {}
        #: Target -> :func:`~plugfair.registry.integrity.code_map` of each
        #: plugin class as its own last turn saw it.
        self.code: dict[str, Any] = extra.get("code") or {}
        self.stale = set(stale)

    @classmethod
    def of(cls, data: dict[str, Any], stale: list[int], extra: dict[str, Any]) -> Previous | None:
        """:class:`Previous`, or ``None`` if ``data`` cannot drive a
        partial probe (a manifest written by
        :func:`~plugfair.registry.manifest.store`, or one whose extra data
        is missing)."""
        prev = cls(data, stale, extra)
        if not isinstance(prev.dists, dict) or not isinstance(prev.code, dict):
            return None
        if prev.dists is None or prev.units is None or len(prev.units) != len(prev.rows):
            return None
        if not all(ident for ident, _host in prev.units):
            return None  # the probe could not start last time
        try:
            for row in prev.rows:
                PluginRecord.from_row(row)
        except (TypeError, ValueError, KeyError):
            return None
        return prev

    def top(self, index: int) -> str:
        """The ident of the top-level plugin record ``index`` belongs to."""
        assert self.units is not None
        ident, host = self.units[index]
        return host or ident


class Built:
    """The records a build made, and what the next build needs."""

    def __init__(self) -> None:
        self.records: list[PluginRecord] = []
        self.units: list[tuple[str, str | None]] = []
        self.dists: dict[str, Dist] = {}
        #: The entry points of the other groups asked for.
        self.groups: Groups = {}
        self.imports: dict[str, tuple[str, ...]] = {}
        self.code: dict[str, Any] = {}
        #: How many plugins were probed (hosted ones included).
        self.probed = 0

    def data(self, key: tuple[Any, ...], state: tuple[Any, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
        """What the manifest file keeps, and what the file next to it
        keeps for the next build only."""
        main = {"key": key, "state": state, "records": [x.to_row() for x in self.records]}
        extra = {"units": self.units, "dists": self.dists, "imports": self.imports, "code": self.code}
        return main, extra


def _root(target: str) -> str:
    return target.partition(":")[0].strip().split(".")[0]


def _changed_dirs(old: Any, new: Any) -> set[str] | None:
    """The metadata directories added, removed or changed between two
    path states, or ``None`` if something else changed."""
    import os

    if not isinstance(old, tuple) or len(old) != len(new):
        return None
    changed: set[str] = set()
    for (entry, before), (entry_now, after) in zip(old, new, strict=True):
        if entry != entry_now:
            return None
        if before == after:
            continue
        if not (isinstance(before, tuple) and isinstance(after, tuple)):
            return None  # a zip file, or an entry that appeared or vanished
        diff = set(before) ^ set(after)
        names = {name for name, _mtime in diff}
        if any(not n.lower().endswith((".dist-info", ".egg-info")) for n in names):
            return None  # .pth, .egg-link, an egg's own metadata
        changed.update(os.path.join(entry, n) for n in names)
    return changed


def _plan(
    path: list[str], previous: Previous | None, state: Any, groups: Sequence[str]
) -> tuple[dict[str, Dist], Groups, set[str]]:
    """The plugin distributions and the groups' entry points now, and the
    idents of the top-level plugins whose records can be kept."""
    changed = None if previous is None else _changed_dirs(previous.state, state)
    if previous is None or previous.dists is None or changed is None:
        return (*scan(path, groups), set())
    dists = {d: v for d, v in previous.dists.items() if d not in changed}
    found, entry_points = scan(path, groups, only=changed)
    dists.update(found)
    if any(d not in previous.dists and d not in dists for d in changed):
        return dists, entry_points, set()  # a library changed: anything may depend on it
    from plugfair.registry import probe

    def idents(where: dict[str, Dist], dirs: Any) -> set[str]:
        return {probe.ident(n, t, d, None) for n, t, d, _v in units_of(where[x] for x in dirs if x in where)}

    kept_before = {previous.top(i) for i in range(len(previous.rows))}
    affected = idents(previous.dists, changed) | idents(dists, changed)
    affected |= {previous.top(i) for i in previous.stale}
    now = idents(dists, dists)
    roots = {_root(_target_of(i)) for i in affected | (kept_before - now)}
    keep = (kept_before & now) - affected
    while True:  # whoever imports what is probed again is probed again
        more = {i for i in keep if roots.intersection(previous.imports.get(i, ()))}
        if not more:
            return dists, entry_points, keep
        keep -= more
        roots |= {_root(_target_of(i)) for i in more}


def _target_of(ident: str) -> str:
    import json

    return str(json.loads(ident)[1])


def build(
    path: list[str], *, timeout: float, previous: Previous | None = None, state: Any = None,
    groups: Sequence[str] = (),
) -> Built:
    """Probe the plugins on ``path`` (only what changed since
    ``previous``, see the module's docstring); return the records.

    :param timeout: seconds each plugin may take (checked by the caller).
    :param previous: what the last build left, with ``state``, the path's
        state now (:func:`~plugfair.registry.manifest.path_state`).
    :param groups: prefixes of other entry-point groups to list
        (:attr:`Built.groups`).
    """
    from plugfair.registry import probe
    from plugfair.registry.childproc import child_sys_path
    from plugfair.registry.childproc import host as childproc

    dists, entry_points, keep = _plan(path, previous, state, groups)
    units = [
        childproc.Unit(probe.ident(name, target, dist), {
            "name": name, "target": target, "dist": dist, "version": version, "host": None,
        })
        for name, target, dist, version in units_of(dists.values())
    ]
    kept = _kept(previous, keep)
    todo = [u for u in units if u.ident not in keep]
    known = [[u.payload["name"], u.payload["target"]] for u in units]
    known += [[rec.name, rec.target] for recs in kept.values() for rec, _ in recs if rec.host]
    job: dict[str, Any] = {"sys_path": child_sys_path(path), "plugins": known}
    order = list(todo)

    def follow(unit: childproc.Unit, outcome: childproc.Outcome) -> list[childproc.Unit]:
        hosted = _hosted_units(unit, outcome.result or {})
        job["plugins"].extend([h.payload["name"], h.payload["target"]] for h in hosted)
        at = order.index(unit) + 1
        order[at:at] = [h for h in hosted if h.ident not in {u.ident for u in order}]
        return hosted

    outcomes = childproc.run_units(
        "plugfair.registry.probe:handler", job, todo, timeout=timeout, follow=follow, workers=_workers(len(todo)),
        per_child=UNITS_PER_CHILD,
    ) if todo else {}
    built = Built()
    built.dists = dists
    built.groups = entry_points
    built.probed = len(order)
    if todo and all(o.kind == "start" for o in outcomes.values()):
        built.records = [_broken_probe(next(iter(outcomes.values())).why)]
        built.units = [("", None)]
        return built
    records = {u.ident: _record(u, outcomes.get(u.ident), path, timeout) for u in order}
    built.code = _code(previous, keep, order, outcomes)
    names = {u.payload["target"]: u.payload["name"] for u in units}
    _judge_sightings(order, outcomes, records, built.code, names)
    _assemble(built, units, order, records, kept, outcomes, previous)
    return built


#: Plugins per child below which one child probes them all (each child
#: costs an interpreter start and plugfair's imports).
UNITS_PER_WORKER = 64

#: At most this many plugins are probed in one child, then a fresh child
#: carries on: each turn checks every plugin probed before it in the same
#: process, so this bounds that work (quadratic in a child's plugins).
UNITS_PER_CHILD = 256


def _workers(units: int) -> int:
    """How many children probe ``units`` plugins at once: one per CPU,
    at most 4, when there are enough plugins to share."""
    import os

    return max(1, min(os.cpu_count() or 1, 4, units // UNITS_PER_WORKER))


def _kept(previous: Previous | None, keep: set[str]) -> dict[str, list[tuple[PluginRecord, tuple[str, str | None]]]]:
    """Top-level ident -> the kept records (its own, then its hosted)."""
    out: dict[str, list[tuple[PluginRecord, tuple[str, str | None]]]] = {}
    if previous is None or previous.units is None:
        return out
    for row, unit in zip(previous.rows, previous.units, strict=True):
        top = unit[1] or unit[0]
        if top in keep:
            out.setdefault(top, []).append((PluginRecord.from_row(row), (unit[0], unit[1])))
    return out


def _code(previous: Previous | None, keep: set[str], order: list[Any], outcomes: dict[str, Any]) -> dict[str, Any]:
    """Each top-level plugin class as its own turn saw it: kept from the
    last build for the plugins not probed, else from this one."""
    code: dict[str, Any] = {}
    if previous is not None:
        targets = {_target_of(i) for i in keep}
        code.update({t: m for t, m in previous.code.items() if t in targets})
    for unit in order:
        outcome = outcomes.get(unit.ident)
        if unit.payload.get("host") is None and outcome is not None and outcome.result is not None:
            found = outcome.result.get("code")
            if isinstance(found, dict):
                code[unit.payload["target"]] = found
    return code


def _assemble(built: Built, units: list[Any], order: list[Any], records: dict[str, PluginRecord],
              kept: dict[str, Any], outcomes: dict[str, Any], previous: Previous | None) -> None:
    """Put the probed and the kept records in discovery order: each
    top-level plugin, then the plugins it hosts."""
    probed: dict[str, list[Any]] = {}
    for unit in order:
        host = unit.payload.get("host_unit")
        top = unit.ident if host is None else _ident_of(host)
        probed.setdefault(top, []).append(unit)
    for unit in units:
        if unit.ident in kept:
            for rec, ident in kept[unit.ident]:
                built.records.append(rec)
                built.units.append(ident)
            built.imports[unit.ident] = previous.imports.get(unit.ident, ()) if previous else ()
            continue
        names: set[str] = set()
        for member in probed.get(unit.ident, []):
            outcome = outcomes.get(member.ident)
            result = outcome.result if outcome is not None and outcome.result is not None else {}
            names.update(str(n) for n in result.get("imports") or () if isinstance(n, str))
            rec = records[member.ident]
            if _hosted_by_usable(rec, records, member):
                built.records.append(rec)
                built.units.append((member.ident, None if member is unit else unit.ident))
        built.imports[unit.ident] = tuple(sorted(names))


def _ident_of(payload: dict[str, Any]) -> str:
    from plugfair.registry import probe

    return probe.ident(payload["name"], payload["target"], payload["dist"])


def _hosted_units(unit: Any, result: dict[str, Any]) -> list[Any]:
    """The units of the plugins a host's accepted answer declares."""
    from plugfair.registry import probe
    from plugfair.registry.childproc import host as childproc

    record = result.get("record")
    if unit.payload.get("host") is not None or not isinstance(record, dict):
        return []
    if record.get("status") != "ok" or not _is_own(unit, record):
        return []
    declared = [h for h in result.get("hosted") or [] if isinstance(h, list) and len(h) == 5
                and all(isinstance(x, str) for x in h)]
    names = record.get("hosted") or []
    return [
        childproc.Unit(probe.ident(name, module, dist, unit.payload["name"]), {
            "name": name, "target": module, "dist": dist, "version": version, "origin": origin,
            "host": unit.payload["name"], "host_unit": unit.payload,
        })
        for name, module, dist, version, origin in declared
        if name in names
    ]


def _is_own(unit: Any, record: dict[str, Any]) -> bool:
    """Whether ``record`` describes the plugin of ``unit``, as the host
    itself named it."""
    p = unit.payload
    return [record.get(k) for k in ("name", "target", "distribution", "host")] == [
        p["name"], p["target"], p["dist"], p["host"]]


def _hosted_by_usable(rec: PluginRecord, records: dict[str, PluginRecord], unit: Any) -> bool:
    """Keep a hosted plugin's record only while its host is usable (a host
    found failed after its turn hosts nothing)."""
    host = unit.payload.get("host_unit")
    if host is None:
        return True
    found = records.get(_ident_of(host))
    return found is not None and found.status == "ok" and rec.name in found.hosted


def _record(unit: Any, outcome: Any, path: list[str], timeout: float) -> PluginRecord:
    """The record of ``unit`` from its outcome, as the host judges it."""
    if outcome is None or outcome.result is None:
        why = outcome.why if outcome is not None else "it was not probed"
        kind = outcome.kind if outcome is not None else "probe"
        return _culprit_record(unit.payload, kind, why, path, timeout)
    data = outcome.result.get("record")
    if not _fits(data, _RECORD) or not _is_own(unit, data):
        return _culprit_record(unit.payload, "forged", "its probe answered with a record that is malformed "
                               "or not its own", path, timeout)
    rec = PluginRecord.from_dict(data)
    for taint in outcome.taint:
        if taint.startswith("fork:"):
            _fail(rec, "fork", "it forked the probe process while it was loaded (%s); a plugin must not "
                  "fork when it is imported or its hooks are called" % taint[5:].strip())
    return rec


#: The shape of a record as the probe sends it: a type, a tuple of the
#: values or types allowed, ``[shape]`` for a list, ``{str: shape}`` for a
#: mapping, or a dict of the keys a mapping must have, with their shapes.
_PROBLEM = {"kind": str, "reason": str, "remedy": str, "traceback": str}
_RECORD: dict[str, Any] = {
    "name": str, "target": str, "distribution": str, "version": str, "api_version": str,
    "description": str, "status": ("ok", "failed", "incompatible"), "problems": [_PROBLEM],
    "commands": {str: str}, "config_groups": {str: [str]},
    "quota": [{"name": str, "default": int, "unit": str, "description": str}],
    "quota_usage": bool, "prepares": bool, "services": [str], "test_packages": [str],
    "files": {str: int}, "host": (str, None), "origin": str, "hosted": [str],
    "warnings": [str],
}


def _fits(value: Any, shape: Any) -> bool:
    """Whether decoded JSON ``value`` has ``shape`` (see :data:`_RECORD`)."""
    if isinstance(shape, type):
        return isinstance(value, shape) and (shape is bool or not isinstance(value, bool))
    if isinstance(shape, tuple):
        return any(_fits(value, s) if isinstance(s, type) else value == s for s in shape)
    if isinstance(shape, list):
        return isinstance(value, list) and all(_fits(v, shape[0]) for v in value)
    if not isinstance(value, dict):
        return False
    if str in shape:
        return all(isinstance(k, str) and _fits(v, shape[str]) for k, v in value.items())
    return value.keys() == shape.keys() and all(_fits(value[k], s) for k, s in shape.items())


def _judge_sightings(order: list[Any], outcomes: dict[str, Any], records: dict[str, PluginRecord],
                     own: dict[str, Any], names: dict[str, str]) -> None:
    """A plugin that changed the class of another plugin: what its turn
    saw of that class differs from what that plugin's own turn saw (in a
    fresh process, in this build or the last; ``own``: target -> code
    map; ``names``: target -> plugin name)."""
    from plugfair.registry.integrity import code_changes

    for unit in order:
        outcome = outcomes.get(unit.ident)
        seen = outcome.result.get("seen") if outcome is not None and outcome.result is not None else None
        for target, view in (seen or {}).items() if isinstance(seen, dict) else ():
            if target not in own or not isinstance(view, dict):
                continue
            name = names.get(target, target)
            changed = code_changes(own[target], view)
            if changed and name != unit.payload["name"]:
                _fail(records[unit.ident], "tamper", "it changes what is not its own: plugin %s (%s)"
                      % (name, ", ".join("%s.%s" % (target.replace(":", "."), a) for a in changed[:5])))


def _fail(rec: PluginRecord, kind: str, reason: str) -> None:
    rec.status = STATUS_FAILED
    rec.problems.append(
        Problem(kind=kind, reason=reason, remedy="Report it to the plugin's authors (distribution %s), "
                "or disable it with '[plugfair] disabled_plugins = %s'." % (rec.distribution, rec.name))
    )


#: Problem kind of a plugin the probe got no record of, by outcome kind.
_CULPRIT_KINDS = {"hang": "hang", "exit": "import", "forged": "probe", "fork": "fork", "start": "probe"}


def _culprit_record(
    unit: dict[str, Any], kind: str, why: str, path: list[str], timeout: float
) -> PluginRecord:
    """The record of a plugin the probe got no record of."""
    from plugfair.registry.probe import module_files

    rec = PluginRecord(
        name=unit["name"], target=unit["target"], distribution=unit["dist"],
        version=unit["version"] or "unknown", host=unit["host"], origin=unit.get("origin", ""),
    )
    rec.files = module_files(unit["target"].split(":")[0], path, use_loaded=False)
    if kind == "hang":
        reason = "probing it did not finish within %.3g s (it hangs at import or in a hook)" % timeout
    elif kind == "exit":
        reason = why.replace("the process ended", "the process ended while importing it or calling its hooks", 1)
    else:
        reason = "%s while it was probed" % why
    _fail(rec, _CULPRIT_KINDS.get(kind, "probe"), reason)
    return rec


def _broken_probe(why: str) -> PluginRecord:
    rec = PluginRecord(name="plugfair_probe", target="plugfair.registry.probe:handler")
    rec.status = STATUS_FAILED
    rec.problems.append(
        Problem(
            kind="probe",
            reason="the plugin probe could not start (%s)" % why,
            remedy="Check that plugfair is installed in this interpreter.",
        )
    )
    return rec
