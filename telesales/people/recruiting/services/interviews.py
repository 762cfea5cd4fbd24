"""Interview rounds and their scorecards: HR schedules a round with an interviewer; the
interviewer (or HR) fills its scorecard once, every criterion rated 1 to 5, with a
recommendation. A submitted scorecard is never edited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Employee
from telesales.people.recruiting import access
from telesales.people.recruiting.models import (
    Candidate,
    Criterion,
    InterviewRound,
    Rating,
    Recommendation,
    Scorecard,
    Stage,
)
from telesales.people.recruiting.services.common import ROUND_FIELDS, user_of

# Interviews are held while the candidate is screened or interviewed.
INTERVIEW_STAGES = (Stage.SCREENING, Stage.INTERVIEW)
SCORES = range(1, 6)


@transaction.atomic
def round_schedule(
    *,
    actor,
    candidate: Candidate,
    kind: str,
    interviewer: Employee,
    scheduled_at: dt.datetime,
) -> InterviewRound:
    """The candidate's next round (numbered 1, 2, …) with an interviewer employed on the day."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if (
        not access.can_manage(actor)
        or not access.candidates_in_scope(actor).filter(pk=candidate.pk).exists()
    ):
        raise PermissionDenied(_("You may not schedule interviews."))
    if candidate.stage not in INTERVIEW_STAGES:
        raise ValidationError(
            _(
                "A candidate at “%(stage)s” is not interviewed; move them to screening or interview first."
            )
            % {"stage": candidate.get_stage_display()}
        )
    if kind not in InterviewRound.Kind.values:
        raise ValidationError(_("“%(value)s” is not a kind of interview.") % {"value": kind})
    if scheduled_at is None:
        raise ValidationError(_("Enter the date and time of the interview."))
    day = timezone.localtime(scheduled_at).date()
    if not interviewer.is_employed_on(day):
        raise ValidationError(
            _("%(name)s is not employed on %(day)s and cannot interview.")
            % {"name": interviewer.name, "day": day.isoformat()}
        )
    last = candidate.rounds.aggregate(last=Max("number"))["last"] or 0
    interview = InterviewRound.objects.create(
        candidate=candidate,
        number=last + 1,
        kind=kind,
        interviewer=interviewer,
        scheduled_at=scheduled_at,
        created_by=user_of(actor),
    )
    audit_record(
        actor=actor,
        action="interview.schedule",
        obj=interview,
        after=snapshot(interview, ROUND_FIELDS),
    )
    return interview


def _ratings_clean(ratings: Mapping[str, object]) -> dict[str, int]:
    unknown = set(ratings) - set(Criterion.values)
    if unknown:
        raise ValidationError(
            _("“%(value)s” is not a criterion of the scorecard.") % {"value": sorted(unknown)[0]}
        )
    labels = dict(Criterion.choices)
    clean: dict[str, int] = {}
    for criterion in Criterion.values:
        value = ratings.get(criterion)
        if value is None or value == "":
            raise ValidationError(
                _("Rate “%(criterion)s” from 1 to 5.") % {"criterion": labels[criterion]}
            )
        try:
            score = int(value)
        except (TypeError, ValueError):
            score = 0
        if isinstance(value, bool) or str(score) != str(value).strip() or score not in SCORES:
            raise ValidationError(
                _("“%(criterion)s” is rated from 1 to 5, not %(value)s.")
                % {"criterion": labels[criterion], "value": value}
            )
        clean[criterion] = score
    return clean


@transaction.atomic
def scorecard_submit(
    *,
    actor,
    interview: InterviewRound,
    ratings: Mapping[str, object],
    recommendation: str,
    notes: str = "",
    at: dt.datetime | None = None,
) -> Scorecard:
    """The round's scorecard, from its interviewer (or HR), once the interview has begun;
    every criterion rated 1 to 5."""
    interview = InterviewRound.objects.select_for_update().get(pk=interview.pk)
    if not access.round_may_see(actor, interview) or not access.can_score(actor, interview):
        raise PermissionDenied(_("Only the interviewer of this round fills its scorecard."))
    if Scorecard.objects.filter(round=interview).exists():
        raise ValidationError(
            _("The scorecard of round %(number)s was submitted already; it is not changed.")
            % {"number": interview.number}
        )
    clean = _ratings_clean(ratings)
    if recommendation not in Recommendation.values:
        raise ValidationError(_("Choose a recommendation."))
    at = at or timezone.now()
    if at < interview.scheduled_at:
        raise ValidationError(_("The scorecard is filled after the interview, not before it."))
    scorecard = Scorecard.objects.create(
        round=interview,
        recommendation=recommendation,
        notes=(notes or "").strip(),
        submitted_at=at,
        submitted_by=user_of(actor),
    )
    Rating.objects.bulk_create(
        [
            Rating(scorecard=scorecard, criterion=criterion, score=score)
            for criterion, score in clean.items()
        ]
    )
    audit_record(
        actor=actor,
        action="interview.scorecard",
        obj=interview,
        after={"recommendation": recommendation, "ratings": clean, "notes": scorecard.notes},
    )
    return scorecard
