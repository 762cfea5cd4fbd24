"""Reads of the script library: the library as a user sees it, a script's versions, the
versions a rep may name on an outcome, the difference between two versions, and the counts
behind the comparison of versions (stats.py turns them into rates and tests)."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from telesales.crm.models import Outcome, Script, ScriptVersion
from telesales.crm.scripts import access
from telesales.crm.scripts.stats import (
    VersionCounts,
    VersionResult,
    baseline_default,
    versions_compare,
)

Status = ScriptVersion.Status
COMPARED = (Status.PUBLISHED, Status.RETIRED)  # a draft has no outcomes


def library(user) -> list[Script]:
    """The scripts a user sees, by stage and code, each with `published` (its published
    versions, by number) and, for editors, `draft_count`."""
    published = ScriptVersion.objects.filter(status=Status.PUBLISHED).order_by("number")
    scripts = (
        access.scripts_visible_to(user)
        .select_related("product")
        .prefetch_related(Prefetch("versions", queryset=published, to_attr="published"))
        .annotate(
            draft_count=Count("versions", filter=Q(versions__status=Status.DRAFT)),
            version_count=Count("versions"),
        )
    )
    order = {stage: i for i, stage in enumerate(Script.Stage.values)}
    return sorted(scripts, key=lambda s: (not s.is_active, order.get(s.stage, 99), s.code))


def script_versions(user, script: Script) -> list[ScriptVersion]:
    """The versions of a script the user may see, newest first."""
    return list(
        access.versions_visible_to(user)
        .filter(script=script)
        .select_related("author", "published_by")
        .order_by("-number")
    )


def versions_for_outcomes() -> QuerySet[ScriptVersion]:
    """The versions a rep may name on an outcome: published versions of active scripts."""
    return (
        ScriptVersion.objects.filter(status=Status.PUBLISHED, script__is_active=True)
        .select_related("script")
        .order_by("script__code", "number")
    )


# -- the difference between two versions ---------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "removed", "added"
    old_number: int | None
    new_number: int | None
    text: str


def version_diff(old: str, new: str) -> list[DiffLine]:
    """The lines of two texts side by side as one list: unchanged, removed from the old,
    added in the new (difflib's longest matching blocks)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                lines.append(
                    DiffLine("same", i1 + offset + 1, j1 + offset + 1, old_lines[i1 + offset])
                )
            continue
        for i in range(i1, i2):
            lines.append(DiffLine("removed", i + 1, None, old_lines[i]))
        for j in range(j1, j2):
            lines.append(DiffLine("added", None, j + 1, new_lines[j]))
    return lines


# -- conversion by version ------------------------------------------------------------------------


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def outcomes_counted(
    user, script: Script, *, start: dt.date, end: dt.date, team=None
) -> QuerySet[Outcome]:
    """The outcomes a user's comparison counts: recorded with a version of the script on a
    local date from start to end, by the people whose outcomes the user may count (see
    access.outcomes_counted_q), of one team when given."""
    counted = access.outcomes_counted_q(user)
    if counted is None:
        return Outcome.objects.none()
    outcomes = Outcome.objects.filter(
        counted,
        script_version__script=script,
        recorded_at__gte=_moment(start),
        recorded_at__lt=_moment(end + dt.timedelta(days=1)),
    )
    if team is not None:
        outcomes = outcomes.filter(employee__team=team)
    return outcomes


def version_counts(
    user, script: Script, versions: list[ScriptVersion], *, start, end, team=None
) -> list[VersionCounts]:
    """Outcomes, contacts and sales of each version, in the order given. A contact is an
    outcome whose disposition has the contact flag; a sale one with the sale flag, which is
    counted as a contact too, so that conversion never exceeds 100 %."""
    rows = (
        outcomes_counted(user, script, start=start, end=end, team=team)
        .values("script_version_id")
        .annotate(
            outcomes=Count("pk"),
            contacts=Count("pk", filter=Q(disposition__contact=True) | Q(disposition__sale=True)),
            sales=Count("pk", filter=Q(disposition__sale=True)),
        )
        .order_by()
    )
    by_version = {row["script_version_id"]: row for row in rows}
    counts = []
    for version in versions:
        row = by_version.get(version.pk, {})
        counts.append(
            VersionCounts(
                number=version.number,
                outcomes=row.get("outcomes", 0),
                contacts=row.get("contacts", 0),
                sales=row.get("sales", 0),
            )
        )
    return counts


@dataclass(frozen=True)
class ComparisonRow:
    version: ScriptVersion
    result: VersionResult


def script_comparison(
    user,
    script: Script,
    *,
    start: dt.date,
    end: dt.date,
    baseline: int | None,
    alpha: float,
    team=None,
) -> tuple[list[ComparisonRow], int | None]:
    """Each published or retired version of a script with its counts, conversion, interval
    and comparison with the baseline (a version number; None: the oldest version with
    contacts), over the outcomes the user may count. Returns the rows and the baseline."""
    versions = list(
        ScriptVersion.objects.filter(script=script, status__in=COMPARED).order_by("number")
    )
    counts = version_counts(user, script, versions, start=start, end=end, team=team)
    numbers = {v.number for v in versions}
    if baseline not in numbers:
        baseline = baseline_default(counts)
    results = versions_compare(counts, baseline=baseline, alpha=alpha)
    return [ComparisonRow(v, r) for v, r in zip(versions, results, strict=True)], baseline
