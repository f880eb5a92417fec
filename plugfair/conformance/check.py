"""Run a conformance check: the one library call behind ``plugfair check``."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Sequence
from typing import Any

from plugfair.conformance import analyzer, audit, baseline, hostscan, installed, rules, targets
from plugfair.conformance.profiles import Profile, load, load_file
from plugfair.conformance.report import CheckResult, TargetSummary, Violation
from plugfair.interface.errors import UsageError

__all__ = ["CheckRequest", "run_check", "static_check", "static_check_many", "resolve_profile"]


@dataclasses.dataclass
class CheckRequest:
    """What to check and how.

    :param targets: directories, wheel/sdist files or installed plugin
        (or distribution) names.
    :param profile: name of a built-in profile.
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
    profile: str = "plugfair"
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


def resolve_profile(request: CheckRequest) -> tuple[Profile, list[str]]:
    """Load the requested profile and complete it from the host's source.

    :raises ProfileError: if it is missing or malformed.
    """
    profile = load_file(request.profile_file) if request.profile_file else load(request.profile)
    notes = hostscan.scan(profile)
    return profile, notes


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


def _records(registry: Any, hook_timeout: float) -> list[Any]:
    if registry is not None:
        return list(registry.records())
    from plugfair.registry import manifest

    return list(manifest.load(use_cache=True, timeout=hook_timeout).records)


def run_check(request: CheckRequest, *, registry: Any = None) -> CheckResult:
    """Check every target (and the core, if asked); apply the baseline.

    :param registry: the host's registry, whose records describe the other
        installed plugins for the dynamic checks (built when needed).
    :returns: the result; its ``exit_code`` is 0 or 1.
    :raises UsageError: (exit status 2) for a bad request, profile, target
        or baseline.
    """
    started = time.perf_counter()
    _validate(request)
    profile, notes = resolve_profile(request)
    if request.core and profile.name != "plugfair":
        raise UsageError(
            "--core audits plugfair with the plugfair profile; drop --profile/--profile-file "
            "or run the other profile separately."
        )
    accepted = baseline.read(request.baseline) if request.baseline else None
    dynamic = profile.dynamic if request.dynamic is None else request.dynamic
    if dynamic and not profile.dynamic:
        raise UsageError(
            "Profile %s describes a host that plugfair cannot load plugins for; its checks "
            "are static only. Drop --dynamic." % profile.name
        )
    others = other_plugin_roots(profile)
    resolved: list[targets.Target] = []
    summaries: list[TargetSummary] = []
    violations: list[Violation] = []
    records: list[Any] | None = None
    try:
        for spec in request.targets:
            resolved.append(
                targets.resolve(spec, group=profile.plugin_group, host_packages=profile.host_packages)
            )
        if request.core:
            spec_ = audit.load_spec()
            core = audit.core_target(spec_)
            forbidden = audit.forbidden_names(spec_)
            summaries.append(TargetSummary(label=core.label, kind="core", files=[f.relpath for f in core.files]))
            violations.extend(audit.scan_core(spec_, core, forbidden))
            in_tree, audit_notes = audit.in_tree_targets(spec_)
            notes.extend(audit_notes)
            resolved.extend(in_tree)
        violations.extend(
            static_check_many(
                [(t, analyzer.Context(profile, own=t.own, others=others)) for t in resolved], jobs=request.jobs
            )
        )
        for target in resolved:
            summary = TargetSummary(label=target.label, kind=target.kind, files=[f.relpath for f in target.files])
            summaries.append(summary)
            if dynamic and profile.plugin_group and target.loadable:
                from plugfair.conformance import dynamic as dyn

                if records is None:
                    records = _records(registry, request.hook_timeout)
                found, plugins, checks, tests = dyn.check_target(
                    target,
                    group=profile.plugin_group,
                    others=dyn.other_records(target, records),
                    timeout=request.timeout,
                    hook_timeout=request.hook_timeout,
                    list_tests=request.list_tests,
                )
                violations.extend(found)
                summary.plugins = plugins
                summary.checks = checks
                summary.tests = tests
    finally:
        for target in resolved:
            target.close()
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
