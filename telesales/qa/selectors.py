"""Reads of call monitoring and coaching for the pages, always through the scoped querysets
of telesales.qa.access."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from telesales.calls.models import Call
from telesales.org.models import Employee, Team
from telesales.qa import access
from telesales.qa.models import (
    Checkpoint,
    CoachingAction,
    QueueItem,
    Review,
    ReviewItem,
    Scorecard,
    ScorecardVersion,
)

# -- reviews -----------------------------------------------------------------------------------

PASSED = "passed"
FAILED = "failed"
INSTANT_FAIL = "instant_fail"
DRAFT = "draft"
UNACKNOWLEDGED = "unacknowledged"


@dataclass(frozen=True)
class ReviewFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    team: Team | None = None
    rep: Employee | None = None
    verdict: str = ""  # passed, failed, instant_fail, draft, unacknowledged


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def review_list(user, criteria: ReviewFilter) -> QuerySet[Review]:
    """The user's regular reviews matching the filter, the latest first (drafts first)."""
    reviews = access.reviews_visible_to(user).filter(kind=Review.Kind.REGULAR)
    if criteria.date_from is not None:
        reviews = reviews.filter(
            Q(reviewed_at__gte=_local_midnight(criteria.date_from)) | Q(reviewed_at__isnull=True)
        )
    if criteria.date_to is not None:
        reviews = reviews.filter(
            Q(reviewed_at__lt=_local_midnight(criteria.date_to + dt.timedelta(days=1)))
            | Q(reviewed_at__isnull=True)
        )
    if criteria.team is not None:
        reviews = reviews.filter(call__employee__team=criteria.team)
    if criteria.rep is not None:
        reviews = reviews.filter(call__employee=criteria.rep)
    verdicts = {
        PASSED: Q(status=Review.Status.SUBMITTED, passed=True),
        FAILED: Q(status=Review.Status.SUBMITTED, passed=False),
        INSTANT_FAIL: Q(status=Review.Status.SUBMITTED, instant_failed=True),
        DRAFT: Q(status=Review.Status.DRAFT),
        UNACKNOWLEDGED: Q(status=Review.Status.SUBMITTED, acknowledged_at__isnull=True),
    }
    if criteria.verdict in verdicts:
        reviews = reviews.filter(verdicts[criteria.verdict])
    return reviews.select_related(
        "call__employee__team", "reviewer", "version__scorecard"
    ).order_by("status", "-reviewed_at", "-id")


def review_items(review: Review) -> list[ReviewItem]:
    """A review's line per checkpoint of its version (a checkpoint left unscored shows as an
    unsaved item with nothing awarded)."""
    given = {item.checkpoint_id: item for item in review.items.all()}
    return [
        given.get(checkpoint.pk) or ReviewItem(review=review, checkpoint=checkpoint)
        for checkpoint in version_checkpoints(review.version)
    ]


def version_checkpoints(version: ScorecardVersion) -> list[Checkpoint]:
    return list(version.checkpoints.order_by("instant_fail", "order", "id"))


def call_outcomes(call: Call) -> list:
    """The outcomes the rep recorded for the call (crm, read only), the latest first."""
    from telesales.crm.models import Outcome

    return list(
        Outcome.objects.filter(call=call)
        .select_related("disposition")
        .order_by("-recorded_at", "-id")
    )


def call_reviews(call: Call) -> QuerySet[Review]:
    return call.qa_reviews.select_related("reviewer", "version__scorecard").order_by("created_at")


def active_versions() -> list[ScorecardVersion]:
    """The latest version of every active scorecard, the default first."""
    versions: dict[int, ScorecardVersion] = {}
    for version in (
        ScorecardVersion.objects.filter(scorecard__is_active=True)
        .select_related("scorecard")
        .order_by("scorecard__code", "number")
    ):
        versions[version.scorecard_id] = version
    return sorted(
        versions.values(), key=lambda v: (v.scorecard.code != "default", v.scorecard.code)
    )


def review_counts(reviews: QuerySet[Review]) -> dict:
    """Submitted reviews, passed, instant fails and the mean score, in one query."""
    from django.db.models import Avg, Count

    return reviews.filter(status=Review.Status.SUBMITTED).aggregate(
        count=Count("pk"),
        passed=Count("pk", filter=Q(passed=True)),
        instant=Count("pk", filter=Q(instant_failed=True)),
        average=Avg("score"),
    )


# -- calibration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckpointComparison:
    checkpoint: Checkpoint
    first: ReviewItem | None
    second: ReviewItem | None

    @property
    def difference(self) -> int | None:
        """Points of the calibration minus points of the review; for an instant-fail item
        1 when only one of them triggered it."""
        if self.first is None or self.second is None:
            return None
        if self.checkpoint.instant_fail:
            return int(self.first.triggered != self.second.triggered)
        return self.second.awarded - self.first.awarded


@dataclass(frozen=True)
class Calibration:
    review: Review
    calibration: Review
    lines: list[CheckpointComparison]

    @property
    def score_difference(self) -> Decimal | None:
        if self.review.score is None or self.calibration.score is None:
            return None
        return self.calibration.score - self.review.score

    @property
    def same_verdict(self) -> bool:
        return self.review.passed == self.calibration.passed

    @property
    def disagreements(self) -> int:
        return sum(1 for line in self.lines if line.difference)


def calibration_compare(calibration: Review) -> Calibration:
    """Both reviewers' points per checkpoint of the shared version and their differences."""
    review = calibration.calibrates
    first = {i.checkpoint_id: i for i in review.items.all()}
    second = {i.checkpoint_id: i for i in calibration.items.all()}
    lines = [
        CheckpointComparison(c, first.get(c.pk), second.get(c.pk))
        for c in version_checkpoints(calibration.version)
    ]
    return Calibration(review, calibration, lines)


def calibration_list(user) -> QuerySet[Review]:
    return (
        access.calibrations_visible_to(user)
        .select_related("call__employee", "reviewer", "calibrates__reviewer", "version__scorecard")
        .order_by("-reviewed_at", "-id")
    )


# -- the queue ---------------------------------------------------------------------------------

TO_REVIEW = "to_review"
IN_DRAFT = "draft"
REVIEWED = "reviewed"


@dataclass(frozen=True)
class QueueFilter:
    week_start: dt.date | None = None
    team: Team | None = None
    rep: Employee | None = None
    reason: str = ""
    status: str = ""


def queue_list(user, criteria: QueueFilter) -> QuerySet[QueueItem]:
    """The user's queue items with their review state (annotated `submitted`, `drafted`)."""
    reviews = Review.objects.filter(call_id=OuterRef("call_id"), kind=Review.Kind.REGULAR)
    items = access.queue_visible_to(user).annotate(
        submitted=Exists(reviews.filter(status=Review.Status.SUBMITTED)),
        drafted=Exists(reviews.filter(status=Review.Status.DRAFT)),
        review_id=Subquery(reviews.values("pk")[:1]),
        reviewer_id=Subquery(reviews.values("reviewer_id")[:1]),
    )
    if criteria.week_start is not None:
        items = items.filter(week_start=criteria.week_start)
    if criteria.team is not None:
        items = items.filter(rep__team=criteria.team)
    if criteria.rep is not None:
        items = items.filter(rep=criteria.rep)
    reasons = {
        QueueItem.Reason.SAMPLE: Q(sampled=True),
        QueueItem.Reason.OUTCOME: ~Q(outcome_code=""),
        QueueItem.Reason.LONG: Q(long_call=True),
        QueueItem.Reason.SHORT: Q(short_call=True),
    }
    if criteria.reason in reasons:
        items = items.filter(reasons[criteria.reason])
    if criteria.status == TO_REVIEW:
        items = items.filter(submitted=False, drafted=False)
    elif criteria.status == IN_DRAFT:
        items = items.filter(drafted=True)
    elif criteria.status == REVIEWED:
        items = items.filter(submitted=True)
    return items.select_related("call", "rep__team").order_by(
        "-week_start", "rep__employee_no", "call__started_at", "id"
    )


def queue_counts(items: QuerySet[QueueItem]) -> dict:
    from django.db.models import Count

    return items.order_by().aggregate(
        total=Count("pk"),
        reviewed=Count("pk", filter=Q(submitted=True)),
        drafts=Count("pk", filter=Q(drafted=True)),
    )


# -- coaching ----------------------------------------------------------------------------------


def session_list(user, *, rep: Employee | None = None, kind: str = "") -> QuerySet:
    sessions = access.sessions_visible_to(user)
    if rep is not None:
        sessions = sessions.filter(rep=rep)
    if kind:
        sessions = sessions.filter(kind=kind)
    return sessions.select_related("coach", "rep__team", "customer").order_by("-held_on", "-id")


OPEN = "open"
OVERDUE = "overdue"
DONE = "done"
ALL = "all"


def action_list(
    user, *, state: str = OPEN, owner: Employee | None = None, today: dt.date | None = None
) -> QuerySet[CoachingAction]:
    """The follow-up list: open (the default), overdue (open past their due date), done, or
    all actions the user sees, the soonest due first."""
    today = today or timezone.localdate()
    actions = access.actions_visible_to(user)
    if state == OPEN:
        actions = actions.filter(status=CoachingAction.Status.OPEN)
    elif state == OVERDUE:
        actions = actions.filter(status=CoachingAction.Status.OPEN, due_on__lt=today)
    elif state == DONE:
        actions = actions.filter(status=CoachingAction.Status.DONE)
    if owner is not None:
        actions = actions.filter(owner=owner)
    return actions.select_related("owner", "session__rep", "session__coach").order_by(
        "due_on", "id"
    )


def action_counts(user, *, today: dt.date | None = None) -> dict:
    from django.db.models import Count

    today = today or timezone.localdate()
    open_q = Q(status=CoachingAction.Status.OPEN)
    return access.actions_visible_to(user).aggregate(
        open=Count("pk", filter=open_q),
        overdue=Count("pk", filter=open_q & Q(due_on__lt=today)),
        done=Count("pk", filter=Q(status=CoachingAction.Status.DONE)),
    )


def scorecard_list() -> list[dict]:
    """Every scorecard with its latest version and how many reviews used any version."""
    from django.db.models import Count

    latest: dict[int, ScorecardVersion] = {}
    for version in (
        ScorecardVersion.objects.select_related("scorecard")
        .annotate(checkpoint_count=Count("checkpoints", distinct=True))
        .order_by("scorecard__code", "number")
    ):
        latest[version.scorecard_id] = version
    used = dict(
        Review.objects.order_by()
        .values("version__scorecard_id")
        .annotate(n=Count("pk"))
        .values_list("version__scorecard_id", "n")
    )
    return [
        {
            "scorecard": scorecard,
            "latest": latest.get(scorecard.pk),
            "reviews": used.get(scorecard.pk, 0),
        }
        for scorecard in Scorecard.objects.order_by("code")
    ]
