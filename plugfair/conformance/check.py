"""Run a conformance check: the one library call behind ``plugfair check``."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Sequence
from typing import Any

from plugfair.conformance import analyzer, audit, baseline, hostscan, installed, rules, targets
from plugfair.conformance.hosted import RecordSource
from plugfair.conformance.profiles import Profile, builtin_names, load, load_file
from plugfair.conformance.report import CheckResult, TargetSummary, Violation
from plugfair.interface.errors import UsageError

__all__ = ["CheckRequest", "run_check", "static_check", "static_check_many", "resolve_profile"]


@dataclasses.dataclass
class CheckRequest:
    """What to check and how.

    :param targets: directories, wheel/sdist files or installed plugin
        (or distribution) names.
    :param profile: name of a built-in profile; ``None`` picks the one the
        targets call for (see :func:`resolve_profile`).
    :param profile_file: path of a profile file (wins over ``profile``).
    :param core: also run the core audit.
    :param dynamic: run the dynamic checks; ``None`` means "if the profile
        supports them".
    :param baseline: a baseline file whose violations are accepted.
    :param write_baseline: write every violation found to this file; they
        then count as accepted, so the run succeeds.
    :param select: only report these codes (prefixes such as ``PF0``
        allowed); empty means all.
    :param ignore: never report these codes (prefixes allowed).
    :param list_tests: list each plugin's tests in the dynamic checks.
    :param timeout: seconds one plugin's dynamic checks may take.
    :param hook_timeout: seconds one hook may take.
    :param jobs: processes for the static checks (0: as many as CPUs when
        there is enough source to be worth it).
    """

    targets: Sequence[str] = ()
    profile: str | None = None
    profile_file: str | None = None
    core: bool = False
    dynamic: bool | None = None
    baseline: str | None = None
    write_baseline: str | None = None
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    list_tests: bool = True
    timeout: float = 120.0
    hook_timeout: float = 10.0
    jobs: int = 0


#: The profile used when neither the request nor the targets name one.
DEFAULT_PROFILE = "plugfair"


def resolve_profile(request: CheckRequest, hosted: RecordSource | None = None) -> tuple[Profile, list[str]]:
    """Load the requested profile and complete it from the host's source.

    An explicit ``profile_file`` or ``profile`` wins.  Otherwise each
    target named by an installed plugin's or distribution's name calls for
    the built-in profile whose ``host.plugin_group`` its plugins come from
    (a hosted plugin's: the group its origin names), and ``plugfair``'s
    when none does; paths call for ``plugfair``'s.  Targets that call for
    different profiles are a usage error.

    :param hosted: returns the registry's records, for hosted plugins.
    :raises ProfileError: if it is missing or malformed.
    :raises UsageError: if the targets call for different profiles.
    """
    if request.profile_file:
        profile = load_file(request.profile_file)
    else:
        profile = load(request.profile or _profile_for(request.targets, hosted))
    notes = hostscan.scan(profile)
    return profile, notes


def _profile_for(specs: Sequence[str], hosted: RecordSource | None) -> str:
    """The built-in profile the targets call for."""
    by_group: dict[str, str] = {}
    for name in [DEFAULT_PROFILE] + [n for n in builtin_names() if n != DEFAULT_PROFILE]:
        group = load(name).plugin_group
        if group:
            by_group.setdefault(group, name)
    wanted: dict[str, str] = {}
    for spec in specs:
        group = None if targets.is_path(spec) else installed.origin_group(spec, list(by_group), hosted)
        wanted[spec] = by_group.get(group or "", DEFAULT_PROFILE)
    chosen = sorted(set(wanted.values()))
    if len(chosen) > 1:
        raise UsageError(
            "The targets call for different profiles (%s). Check them in separate runs, or "
            "choose one with --profile." % ", ".join("%s: %s" % item for item in sorted(wanted.items()))
        )
    return chosen[0] if chosen else DEFAULT_PROFILE


def _validate(request: CheckRequest) -> None:
    if not request.targets and not request.core:
        raise UsageError(
            "Nothing to check. Give a source directory, a wheel or sdist, or an "
            "installed plugin's name, or --core to audit plugfair itself."
        )
    for code in list(request.select) + list(request.ignore):
        if not any(known.startswith(code.upper()) for known in rules.RULES):
            raise UsageError(
                "Unknown rule code %r in --select/--ignore. Known codes: %s."
                % (code, ", ".join(rules.RULES))
            )
    if request.timeout <= 0 or request.hook_timeout <= 0:
        raise UsageError("--timeout and --hook-timeout must be positive.")
    if request.jobs < 0:
        raise UsageError("--jobs must be 0 (automatic) or a positive number.")


def _wanted(code: str, request: CheckRequest) -> bool:
    if request.select and not any(code.startswith(s.upper()) for s in request.select):
        return False
    return not any(code.startswith(s.upper()) for s in request.ignore)


def other_plugin_roots(profile: Profile) -> dict[str, str]:
    """Root package of every installed plugin of the profile's host -> label."""
    return {
        root: "%s (distribution %s)" % (name, dist)
        for root, (name, dist) in installed.plugin_roots(profile.plugin_group).items()
    }


def static_check(target: targets.Target, profile: Profile, others: dict[str, str]) -> list[Violation]:
    """Run the static rules over every file of ``target``."""
    return static_check_many([(target, analyzer.Context(profile, own=target.own, others=others))], jobs=1)


# Work shared with forked workers: (context, path, relpath, module, target
# label, source) per file.  Set before the pool forks, read by index.
_WORK: list[tuple[analyzer.Context, str, str, str | None, str, bytes]] = []

#: Below this much source, one process is faster than starting workers.
PARALLEL_MIN_BYTES = 2 * 1024 * 1024


def _check_one(index: int) -> list[Violation]:
    ctx, path, relpath, module, label, source = _WORK[index]
    return analyzer.check_source(ctx, source, path=path, relpath=relpath, module=module, target=label)


def static_check_many(
    work: Sequence[tuple[targets.Target, analyzer.Context]], *, jobs: int = 0
) -> list[Violation]:
    """Run the static rules over several targets, in parallel when it pays.

    :param jobs: worker processes; 0 picks the number of CPUs when there
        is enough source to be worth it, 1 means none.
    """
    global _WORK
    out: list[Violation] = []
    items: list[tuple[analyzer.Context, str, str, str | None, str, bytes]] = []
    for target, ctx in work:
        for f in target.files:
            try:
                source = f.read()
            except (OSError, ValueError, KeyError) as exc:
                out.append(
                    Violation("PF000", "Cannot read the file: %s." % exc, f.path, f.relpath, target=target.label)
                )
                continue
            items.append((ctx, f.path, f.relpath, f.module, target.label, source))
    total = sum(len(item[5]) for item in items)
    if jobs == 0:
        jobs = (os.cpu_count() or 1) if total >= PARALLEL_MIN_BYTES else 1
    context = _fork_context() if jobs > 1 else None
    if context is None:
        for ctx, path, relpath, module, label, source in items:
            out.extend(analyzer.check_source(ctx, source, path=path, relpath=relpath, module=module, target=label))
        return out
    _WORK = items
    try:
        order = sorted(range(len(items)), key=lambda i: -len(items[i][5]))
        with context.Pool(jobs) as pool:
            for found in pool.imap_unordered(_check_one, order, chunksize=8):
                out.extend(found)
    finally:
        _WORK = []
    return out


def _fork_context() -> Any:
    import multiprocessing

    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        return None


class _Records:
    """The registry's records, read the first time they are needed."""

    def __init__(self, registry: Any, hook_timeout: float) -> None:
        self._registry = registry
        self._timeout = hook_timeout
        self._records: list[Any] | None = None

    def __call__(self) -> list[Any]:
        if self._records is None:
            if self._registry is not None:
                self._records = list(self._registry.records())
            else:
                from plugfair.registry import manifest

                self._records = list(manifest.load(use_cache=True, timeout=self._timeout).records)
        return self._records


def _dynamic_checks(
    request: CheckRequest,
    profile: Profile,
    pairs: Sequence[tuple[targets.Target, TargetSummary]],
    records: _Records,
) -> tuple[list[Violation], list[str]]:
    """Run the dynamic checks of each target; fill in its summary.

    :returns: the violations and notes.
    """
    from plugfair.conformance import dynamic, hostrules

    violations: list[Violation] = []
    notes: list[str] = []
    claims: list[hostrules.ServiceClaim] = []
    for target, summary in pairs:
        if not (profile.plugin_group and target.loadable):
            continue
        outcome = dynamic.check_target(
            target,
            profile=profile,
            records=records(),
            timeout=request.timeout,
            hook_timeout=request.hook_timeout,
            list_tests=request.list_tests,
        )
        violations.extend(outcome.violations)
        notes.extend(outcome.notes)
        claims.extend(outcome.claims)
        summary.plugins = outcome.plugins
        summary.checks = outcome.checks
        summary.tests = outcome.tests
    # Service clients must be unique across every plugin checked, so they
    # are judged once, over all targets.
    violations.extend(hostrules.duplicate_services(claims, profile))
    return violations, notes


def _check_profile(request: CheckRequest, profile: Profile) -> bool:
    """Whether to run the dynamic checks.

    :raises UsageError: for a request the profile cannot serve.
    """
    if request.core and profile.name != DEFAULT_PROFILE:
        raise UsageError(
            "--core audits plugfair with the plugfair profile, but this run uses profile %s; run "
            "the core audit separately, or use --profile plugfair." % profile.name
        )
    dynamic = profile.dynamic if request.dynamic is None else request.dynamic
    if dynamic and not profile.dynamic:
        raise UsageError(
            "Profile %s describes a host that plugfair cannot load plugins for; its checks "
            "are static only. Drop --dynamic." % profile.name
        )
    return dynamic


def _core_audit(resolved: list[targets.Target], summaries: list[TargetSummary], notes: list[str]) -> list[Violation]:
    """The core audit: its own violations; adds the in-tree targets."""
    spec_ = audit.load_spec()
    core = audit.core_target(spec_)
    forbidden = audit.forbidden_names(spec_)
    summaries.append(TargetSummary(label=core.label, kind="core", files=[f.relpath for f in core.files]))
    found = audit.scan_core(spec_, core, forbidden)
    in_tree, audit_notes = audit.in_tree_targets(spec_)
    notes.extend(audit_notes)
    resolved.extend(in_tree)
    return found


def run_check(request: CheckRequest, *, registry: Any = None) -> CheckResult:
    """Check every target (and the core, if asked); apply the baseline.

    :param registry: the host's registry, whose records describe the other
        installed plugins and the hosted ones (read from the manifest when
        needed if not given).
    :returns: the result; its ``exit_code`` is 0 or 1.
    :raises UsageError: (exit status 2) for a bad request, profile, target
        or baseline.
    """
    started = time.perf_counter()
    _validate(request)
    records = _Records(registry, request.hook_timeout)
    profile, notes = resolve_profile(request, records)
    dynamic = _check_profile(request, profile)
    accepted = baseline.read(request.baseline) if request.baseline else None
    others = other_plugin_roots(profile)
    resolved: list[targets.Target] = []
    summaries: list[TargetSummary] = []
    violations: list[Violation] = []
    try:
        for spec in request.targets:
            resolved.append(
                targets.resolve(
                    spec, group=profile.plugin_group, host_packages=profile.host_packages, hosted=records
                )
            )
        if request.core:
            violations.extend(_core_audit(resolved, summaries, notes))
        violations.extend(
            static_check_many(
                [(t, analyzer.Context(profile, own=t.own, others=others)) for t in resolved], jobs=request.jobs
            )
        )
        pairs = []
        for target in resolved:
            summary = TargetSummary(label=target.label, kind=target.kind, files=[f.relpath for f in target.files])
            summaries.append(summary)
            pairs.append((target, summary))
        if dynamic:
            found, dynamic_notes = _dynamic_checks(request, profile, pairs, records)
            violations.extend(found)
            notes.extend(dynamic_notes)
    finally:
        for target in resolved:
            target.close()
    return _result(request, profile, summaries, violations, notes, accepted, started)


def _result(
    request: CheckRequest,
    profile: Profile,
    summaries: list[TargetSummary],
    violations: list[Violation],
    notes: list[str],
    accepted: Any,
    started: float,
) -> CheckResult:
    """Filter, sort, apply the baseline (or write one) and wrap up."""
    violations = [v for v in violations if _wanted(v.code, request)]
    violations.sort(key=lambda v: v.sort_key())
    unmatched = baseline.apply(violations, accepted) if accepted is not None else 0
    used_baseline = request.baseline
    if request.write_baseline:
        baseline.write(request.write_baseline, violations, profile=profile.name)
        for v in violations:
            v.baselined = True
        used_baseline = request.write_baseline
    return CheckResult(
        profile=profile.summary(),
        targets=summaries,
        violations=violations,
        notes=notes,
        baseline=used_baseline,
        baseline_unmatched=unmatched,
        duration=time.perf_counter() - started,
    )
