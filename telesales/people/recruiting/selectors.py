"""Reads of openings, candidates and interviews for the pages, always through the scoped
querysets of telesales.people.recruiting.access."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils import timezone

from telesales.org import access as org_access
from telesales.org.models import Employee, Role, Team
from telesales.people.recruiting import access
from telesales.people.recruiting.models import (
    PIPELINE,
    Candidate,
    Criterion,
    InterviewRound,
    Opening,
    Rating,
    Recommendation,
    Stage,
    StageChange,
)

ACTIVE = "active"  # the list's default: open or on hold


def _stage_counts() -> dict:
    """One count per stage, for annotating openings."""
    return {
        f"n_{stage}": Count("candidates", filter=Q(candidates__stage=stage))
        for stage in Stage.values
    }


@dataclass(frozen=True)
class OpeningFilter:
    status: str = ACTIVE  # "", "active" or a status
    team: Team | None = None


def opening_list(user, criteria: OpeningFilter) -> QuerySet[Opening]:
    """The user's openings matching the filter, each with its candidates counted per stage
    (one query however many openings)."""
    openings = access.openings_visible_to(user).select_related("team", "hiring_manager", "owner")
    if criteria.status == ACTIVE:
        openings = openings.filter(status__in=(Opening.Status.OPEN, Opening.Status.ON_HOLD))
    elif criteria.status:
        openings = openings.filter(status=criteria.status)
    if criteria.team is not None:
        openings = openings.filter(team=criteria.team)
    return openings.annotate(n_total=Count("candidates"), **_stage_counts()).order_by(
        "-opened_on", "-id"
    )


def opening_counts(opening: Opening) -> dict[str, int]:
    """The opening's candidates now at each stage, and in all."""
    counts = Candidate.objects.filter(opening=opening).aggregate(
        n_total=Count("pk"),
        **{f"n_{stage}": Count("pk", filter=Q(stage=stage)) for stage in Stage.values},
    )
    return counts


def opening_funnel(opening: Opening) -> list[dict]:
    """How far the opening's candidates got: for each stage of the road to a hire, the
    candidates who ever reached it, and that as a share of those who reached the stage
    before (None when nobody did)."""
    reached = dict(
        StageChange.objects.filter(candidate__opening=opening, to_stage__in=PIPELINE)
        .order_by()
        .values("to_stage")
        .annotate(n=Count("candidate", distinct=True))
        .values_list("to_stage", "n")
    )
    labels = dict(Stage.choices)
    rows = []
    first = reached.get(Stage.APPLIED, 0)
    previous = None
    for stage in PIPELINE:
        n = reached.get(stage, 0)
        rows.append(
            {
                "stage": stage,
                "label": labels[stage],
                "reached": n,
                "of_previous": None if not previous else Decimal(n) / Decimal(previous),
                "of_first": None if not first else Decimal(n) / Decimal(first),
                "bar": 0 if not first else round(100 * n / first),
            }
        )
        previous = n
    return rows


@dataclass(frozen=True)
class CandidateFilter:
    opening: Opening | None = None
    team: Team | None = None
    stage: str = ""  # "", "active" or a stage
    source: str = ""
    search: str = ""


def candidate_list(user, criteria: CandidateFilter) -> QuerySet[Candidate]:
    """The candidates of the user's openings matching the filter, the latest first."""
    candidates = access.candidates_in_scope(user).select_related(
        "opening", "opening__team", "employee"
    )
    if criteria.opening is not None:
        candidates = candidates.filter(opening=criteria.opening)
    if criteria.team is not None:
        candidates = candidates.filter(opening__team=criteria.team)
    if criteria.stage == ACTIVE:
        candidates = candidates.exclude(stage__in=(Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN))
    elif criteria.stage:
        candidates = candidates.filter(stage=criteria.stage)
    if criteria.source:
        candidates = candidates.filter(source=criteria.source)
    if criteria.search:
        candidates = candidates.filter(name__icontains=criteria.search.strip())
    return candidates.annotate(
        n_rounds=Count("rounds", distinct=True),
        n_scorecards=Count("rounds__scorecard", distinct=True),
    ).order_by("-applied_at", "-id")


def candidate_history(candidate: Candidate) -> QuerySet[StageChange]:
    return candidate.moves.select_related("actor").order_by("at", "id")


def candidate_rounds(user, candidate: Candidate) -> list[InterviewRound]:
    """The rounds the user may see: all of them when the candidate is in their scope, else
    only their own; each with its scorecard and ratings."""
    rounds = candidate.rounds.select_related(
        "interviewer", "scorecard", "scorecard__submitted_by"
    ).prefetch_related(Prefetch("scorecard__ratings", queryset=Rating.objects.order_by("id")))
    if not access.candidate_rights(user, candidate).see_all_rounds:
        employee = org_access.scope_for(user).employee
        rounds = rounds.filter(interviewer=employee) if employee else rounds.none()
    result = []
    for interview in rounds.order_by("number"):
        # A reverse one-to-one without a row raises an AttributeError subclass.
        scorecard = getattr(interview, "scorecard", None)
        interview.card = scorecard
        interview.scores = (
            {r.criterion: r.score for r in scorecard.ratings.all()} if scorecard else {}
        )
        result.append(interview)
    return result


def criterion_means(candidate: Candidate) -> list[dict]:
    """The mean score of each criterion over the candidate's submitted scorecards (None when
    none rated it), in one query."""
    found = {
        row["criterion"]: row
        for row in Rating.objects.filter(scorecard__round__candidate=candidate)
        .order_by()
        .values("criterion")
        .annotate(mean=Avg("score"), n=Count("pk"))
    }
    return [
        {
            "criterion": criterion,
            "label": label,
            "mean": found[criterion]["mean"] if criterion in found else None,
            "n": found[criterion]["n"] if criterion in found else 0,
        }
        for criterion, label in Criterion.choices
    ]


def recommendation_counts(rounds: list[InterviewRound]) -> list[dict]:
    counts = {value: 0 for value in Recommendation.values}
    for interview in rounds:
        if interview.card is not None:
            counts[interview.card.recommendation] += 1
    return [
        {"value": value, "label": label, "n": counts[value]}
        for value, label in Recommendation.choices
    ]


def my_interviews(user) -> QuerySet[InterviewRound]:
    """The rounds the user holds: those still to be scored first, by time."""
    employee = org_access.scope_for(user).employee
    if employee is None:
        return InterviewRound.objects.none()
    return (
        InterviewRound.objects.filter(interviewer=employee)
        .select_related("candidate", "candidate__opening", "candidate__opening__team")
        .annotate(scored=Count("scorecard"))
        .order_by("scored", "scheduled_at", "id")
    )


def interviewers():
    """Who may be asked to interview: everyone employed today."""
    return Employee.objects.employed_on(timezone.localdate()).order_by("employee_no")


def hiring_managers():
    return (
        Employee.objects.employed_on(timezone.localdate())
        .filter(role__in=(Role.SUPERVISOR, Role.MANAGER))
        .order_by("employee_no")
    )


def opening_owners():
    return (
        Employee.objects.employed_on(timezone.localdate())
        .filter(role__in=(Role.HR, Role.ADMIN))
        .order_by("employee_no")
    )


def next_employee_no(prefix: str = "E") -> str:
    """A suggestion for the hire form: the next free number after the highest <prefix><digits>."""
    highest = 0
    for number in Employee.objects.filter(employee_no__regex=rf"^{prefix}[0-9]+$").values_list(
        "employee_no", flat=True
    ):
        highest = max(highest, int(number[len(prefix) :]))
    return f"{prefix}{highest + 1:03d}"
