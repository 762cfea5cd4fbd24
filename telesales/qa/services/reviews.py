"""QA reviews: scoring a call against a scorecard version (drafts, submission, calibration),
the rep's acknowledgement, and storing imported reviews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.calls.models import Call
from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Employee
from telesales.qa import access
from telesales.qa.models import Checkpoint, Review, ReviewItem, ScorecardVersion
from telesales.qa.services.common import REVIEW_FIELDS, employee_of, user_of

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Mark:
    """What a reviewer gave one checkpoint: points, or for an instant-fail item whether it
    was triggered."""

    checkpoint_id: int
    awarded: int = 0
    triggered: bool = False
    note: str = ""


@dataclass(frozen=True)
class Verdict:
    score: Decimal
    instant_failed: bool
    passed: bool
    awarded: int
    possible: int


def score_round(value: Decimal) -> Decimal:
    """Scores are kept with 2 decimals, rounded half up (PRODUCT.md §6)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def review_verdict(
    checkpoints: Iterable[Checkpoint], marks: dict[int, Mark], passing_score: Decimal
) -> Verdict:
    """score = Σ awarded / Σ possible × 100 over the scored checkpoints, 2 decimals half up;
    any triggered instant-fail item makes the score 0 and the review failed; passed = not
    instant-failed and score ≥ the passing score."""
    awarded = possible = 0
    instant_failed = False
    for checkpoint in checkpoints:
        mark = marks.get(checkpoint.pk)
        if checkpoint.instant_fail:
            instant_failed = instant_failed or bool(mark and mark.triggered)
            continue
        possible += checkpoint.points
        awarded += mark.awarded if mark else 0
    if instant_failed:
        return Verdict(Decimal("0.00"), True, False, awarded, possible)
    score = score_round(Decimal(awarded) / Decimal(possible) * HUNDRED) if possible else CENT * 0
    return Verdict(score, False, score >= passing_score, awarded, possible)


def _clean_marks(
    checkpoints: list[Checkpoint], marks: Iterable[Mark], *, complete: bool
) -> dict[int, Mark]:
    by_id = {c.pk: c for c in checkpoints}
    cleaned: dict[int, Mark] = {}
    for mark in marks:
        checkpoint = by_id.get(mark.checkpoint_id)
        if checkpoint is None:
            raise ValidationError(_("A score was given for a checkpoint of another scorecard."))
        if checkpoint.instant_fail:
            cleaned[checkpoint.pk] = Mark(checkpoint.pk, 0, bool(mark.triggered), mark.note[:500])
            continue
        awarded = mark.awarded
        if awarded is None or not 0 <= int(awarded) <= checkpoint.points:
            raise ValidationError(
                _("“%(label)s” is scored from 0 to %(points)s points.")
                % {"label": checkpoint.label, "points": checkpoint.points}
            )
        cleaned[checkpoint.pk] = Mark(checkpoint.pk, int(awarded), False, mark.note[:500])
    if complete:
        missing = [c.label for c in checkpoints if not c.instant_fail and c.pk not in cleaned]
        if missing:
            raise ValidationError(
                _("Score every checkpoint before submitting; missing: %(labels)s.")
                % {"labels": "、".join(missing)}
            )
    return cleaned


def _reviewer_for(actor, reviewer: Employee | None) -> Employee:
    if user_of(actor) is not None:
        employee = employee_of(actor)
        if employee is None or not access.is_reviewer(actor):
            raise PermissionDenied(_("You may not review calls."))
        return employee
    if reviewer is None:
        raise ValidationError(_("A review needs a reviewer."))
    return reviewer


@transaction.atomic
def review_save(
    *,
    actor,
    call: Call,
    version: ScorecardVersion,
    marks: Iterable[Mark],
    comment: str = "",
    submit: bool = False,
    calibrates: Review | None = None,
    reviewer: Employee | None = None,
    at: dt.datetime | None = None,
) -> Review:
    """Save the reviewer's review of a call as a draft, or submit it. A call has one regular
    review; a second reviewer scores it as a calibration of that review, with the same
    scorecard version. A submitted review is final. (`reviewer` names the reviewer when the
    system acts, as the demo does.)"""
    reviewer = _reviewer_for(actor, reviewer)
    call = Call.objects.select_for_update(of=("self",)).select_related("employee").get(pk=call.pk)
    if not access.may_review_call(actor, call):
        raise PermissionDenied(_("You may not review this call."))
    if call.employee_id is None:
        raise ValidationError(_("This call belongs to no rep, so it cannot be reviewed."))
    if call.employee_id == reviewer.pk:
        raise ValidationError(_("Nobody reviews their own calls."))
    on_call = list(Review.objects.filter(call=call).select_related("reviewer"))
    existing = next((r for r in on_call if r.reviewer_id == reviewer.pk), None)
    if existing is not None and existing.status == Review.Status.SUBMITTED:
        raise ValidationError(_("You have already submitted a review of this call."))
    if calibrates is not None:
        calibrates = next((r for r in on_call if r.pk == calibrates.pk), None)
        if (
            calibrates is None
            or calibrates.call_id != call.pk
            or calibrates.kind != Review.Kind.REGULAR
            or calibrates.status != Review.Status.SUBMITTED
        ):
            raise ValidationError(_("Only a submitted review of this call can be calibrated."))
        if calibrates.reviewer_id == reviewer.pk:
            raise ValidationError(_("A calibration is scored by a second reviewer."))
        if version.pk != calibrates.version_id:
            raise ValidationError(_("A calibration uses the scorecard version of the review."))
    else:
        other = next(
            (r for r in on_call if r.kind == Review.Kind.REGULAR and r.reviewer_id != reviewer.pk),
            None,
        )
        if other is not None:
            raise ValidationError(
                _(
                    "This call is already reviewed by %(name)s; score it as a calibration of "
                    "that review."
                )
                % {"name": other.reviewer.name}
            )
    if existing is not None:
        if existing.version_id != version.pk:
            raise ValidationError(_("The draft was begun with another scorecard version."))
        if existing.calibrates_id != (calibrates.pk if calibrates else None):
            raise ValidationError(_("The draft was begun as another kind of review."))
    elif not version.scorecard.is_active and calibrates is None:
        raise ValidationError(_("This scorecard is retired; choose an active one."))
    checkpoints = list(version.checkpoints.order_by("instant_fail", "order", "id"))
    cleaned = _clean_marks(checkpoints, marks, complete=submit)
    before = None
    if existing is not None:
        before = snapshot(existing, REVIEW_FIELDS)
        before["items"] = [
            [i.checkpoint_id, i.awarded, i.triggered]
            for i in existing.items.order_by("checkpoint_id")
        ]
    review = existing or Review(
        call=call,
        version=version,
        reviewer=reviewer,
        kind=Review.Kind.CALIBRATION if calibrates else Review.Kind.REGULAR,
        calibrates=calibrates,
    )
    review.comment = (comment or "").strip()
    if submit:
        verdict = review_verdict(checkpoints, cleaned, version.passing_score)
        review.status = Review.Status.SUBMITTED
        review.score = verdict.score
        review.instant_failed = verdict.instant_failed
        review.passed = verdict.passed
        review.reviewed_at = at or timezone.now()
    review.save()
    if existing is not None:
        review.items.all().delete()
    ReviewItem.objects.bulk_create(
        [
            ReviewItem(
                review=review,
                checkpoint_id=mark.checkpoint_id,
                awarded=mark.awarded,
                triggered=mark.triggered,
                note=mark.note,
            )
            for mark in cleaned.values()
        ]
    )
    after = snapshot(review, REVIEW_FIELDS)
    after["items"] = [
        [m.checkpoint_id, m.awarded, m.triggered] for m in sorted(cleaned.values(), key=_id)
    ]
    audit_record(
        actor=actor,
        action="qa.review.submit" if submit else "qa.review.save",
        obj=review,
        before=before,
        after=after,
    )
    return review


def _id(mark: Mark) -> int:
    return mark.checkpoint_id


@transaction.atomic
def review_discard(*, actor, review: Review) -> None:
    """Throw a draft away; submitted reviews stay."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not access.may_edit_review(actor, review):
        raise PermissionDenied(_("You may not change this review."))
    audit_record(
        actor=actor, action="qa.review.discard", obj=review, before=snapshot(review, REVIEW_FIELDS)
    )
    review.delete()


@transaction.atomic
def review_acknowledge(
    *, actor, review: Review, comment: str = "", at: dt.datetime | None = None
) -> Review:
    """The rep acknowledges a submitted review of their call, with an optional comment; the
    time is recorded."""
    review = Review.objects.select_for_update(of=("self",)).select_related("call").get(pk=review.pk)
    if not access.may_acknowledge(actor, review):
        raise PermissionDenied(_("You may not acknowledge this review."))
    before = snapshot(review, REVIEW_FIELDS)
    review.acknowledged_at = at or timezone.now()
    review.acknowledgement = (comment or "").strip()[:4000]
    review.save(update_fields=["acknowledged_at", "acknowledgement"])
    audit_record(
        actor=actor,
        action="qa.review.acknowledge",
        obj=review,
        before=before,
        after=snapshot(review, REVIEW_FIELDS),
    )
    return review


# -- imported reviews --------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedReview:
    """A review scored in another system: its total only, no checkpoint scores."""

    call: Call
    reviewer: Employee
    version: ScorecardVersion
    score: Decimal
    instant_failed: bool
    comment: str
    reviewed_at: dt.datetime


@transaction.atomic
def reviews_import_store(*, actor, reviews: list[ImportedReview]) -> list[Review]:
    """Store submitted reviews from a file; passed is computed from the version's passing
    score, and an instant fail makes the score 0 (the importer has checked scope and
    duplicates)."""
    stored: list[Review] = []
    for item in reviews:
        if user_of(actor) is not None and not access.may_review_call(actor, item.call):
            raise PermissionDenied(_("You may not review this call."))
        score = Decimal("0.00") if item.instant_failed else score_round(item.score)
        review = Review.objects.create(
            call=item.call,
            version=item.version,
            reviewer=item.reviewer,
            kind=Review.Kind.REGULAR,
            status=Review.Status.SUBMITTED,
            source=Review.Source.IMPORT,
            score=score,
            instant_failed=item.instant_failed,
            passed=not item.instant_failed and score >= item.version.passing_score,
            comment=item.comment,
            reviewed_at=item.reviewed_at,
        )
        audit_record(
            actor=actor,
            action="qa.review.import",
            obj=review,
            after=snapshot(review, REVIEW_FIELDS),
        )
        stored.append(review)
    return stored
