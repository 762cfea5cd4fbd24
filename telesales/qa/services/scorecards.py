"""QA scorecards and their versions: creating, editing (a used version is never changed;
the edit becomes the next version) and retiring."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record
from telesales.qa import access
from telesales.qa.models import Checkpoint, Review, Scorecard, ScorecardVersion
from telesales.qa.services.common import user_of

MAX_POINTS = 1000


@dataclass(frozen=True)
class CheckpointSpec:
    """One checkpoint as written in a form, a migration or a test."""

    label: str
    points: int = 0
    instant_fail: bool = False
    guidance: str = ""
    order: int = 0


def _clean_passing(passing_score) -> Decimal:
    try:
        value = Decimal(str(passing_score))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("The passing score must be a number from 0 to 100.")) from None
    if not value.is_finite() or value < 0 or value > 100:
        raise ValidationError(_("The passing score must be a number from 0 to 100."))
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("The passing score has at most two decimal places."))
    return value.quantize(Decimal("0.01"))


def _clean_checkpoints(checkpoints: list[CheckpointSpec]) -> list[CheckpointSpec]:
    """Scored checkpoints have 1..1000 points; instant-fail items have none. At least one
    scored checkpoint; labels are unique within a version."""
    cleaned: list[CheckpointSpec] = []
    labels: set[str] = set()
    for position, spec in enumerate(checkpoints, start=1):
        label = (spec.label or "").strip()
        if not label:
            raise ValidationError(_("Every checkpoint needs a label."))
        if len(label) > 200:
            raise ValidationError(
                _("The checkpoint “%(label)s” is longer than 200 characters.") % {"label": label}
            )
        if label in labels:
            raise ValidationError(_("The checkpoint “%(label)s” appears twice.") % {"label": label})
        labels.add(label)
        points = int(spec.points or 0)
        if spec.instant_fail:
            points = 0
        elif points <= 0 or points > MAX_POINTS:
            raise ValidationError(
                _("The checkpoint “%(label)s” needs from 1 to %(max)s points.")
                % {"label": label, "max": MAX_POINTS}
            )
        cleaned.append(
            CheckpointSpec(
                label=label,
                points=points,
                instant_fail=bool(spec.instant_fail),
                guidance=(spec.guidance or "").strip(),
                order=spec.order or position * 10,
            )
        )
    if not any(not spec.instant_fail for spec in cleaned):
        raise ValidationError(_("A scorecard needs at least one checkpoint with points."))
    return cleaned


def _version_snapshot(version: ScorecardVersion) -> dict:
    return {
        "version": version.number,
        "name": version.name,
        "passing_score": str(version.passing_score),
        "checkpoints": [
            [c.order, c.label, c.points, c.instant_fail]
            for c in version.checkpoints.order_by("instant_fail", "order", "id")
        ],
    }


def _write_checkpoints(version: ScorecardVersion, checkpoints: list[CheckpointSpec]) -> None:
    Checkpoint.objects.bulk_create(
        [
            Checkpoint(
                version=version,
                order=spec.order,
                label=spec.label,
                guidance=spec.guidance,
                points=spec.points,
                instant_fail=spec.instant_fail,
            )
            for spec in checkpoints
        ]
    )


@transaction.atomic
def scorecard_create(
    *, actor, code: str, name: str, passing_score, checkpoints: list[CheckpointSpec]
) -> ScorecardVersion:
    """A new scorecard with its first version."""
    if not access.can_edit_scorecards(actor):
        raise PermissionDenied(_("You may not edit QA scorecards."))
    code = (code or "").strip()
    name = (name or "").strip()
    if not code or len(code) > 40:
        raise ValidationError(_("Give the scorecard a code of at most 40 characters."))
    if not name:
        raise ValidationError(_("Give the scorecard a name."))
    if Scorecard.objects.filter(code=code).exists():
        raise ValidationError(
            _("There is already a scorecard with the code %(code)s.") % {"code": code}
        )
    passing = _clean_passing(passing_score)
    specs = _clean_checkpoints(checkpoints)
    scorecard = Scorecard.objects.create(code=code)
    version = ScorecardVersion.objects.create(
        scorecard=scorecard,
        number=1,
        name=name[:200],
        passing_score=passing,
        created_by=user_of(actor),
    )
    _write_checkpoints(version, specs)
    audit_record(
        actor=actor, action="qa.scorecard.create", obj=version, after=_version_snapshot(version)
    )
    return version


def scorecard_latest(scorecard: Scorecard) -> ScorecardVersion:
    return scorecard.versions.order_by("-number").first()


def version_is_used(version: ScorecardVersion) -> bool:
    return Review.objects.filter(version=version).exists()


@transaction.atomic
def scorecard_edit(
    *, actor, scorecard: Scorecard, name: str, passing_score, checkpoints: list[CheckpointSpec]
) -> ScorecardVersion:
    """Change a scorecard: its latest version is changed in place while no review uses it;
    once one does, the change becomes version N+1 and the used version stays as it was."""
    if not access.can_edit_scorecards(actor):
        raise PermissionDenied(_("You may not edit QA scorecards."))
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the scorecard a name."))
    passing = _clean_passing(passing_score)
    specs = _clean_checkpoints(checkpoints)
    latest = scorecard_latest(scorecard)
    before = _version_snapshot(latest)
    if version_is_used(latest):
        version = ScorecardVersion.objects.create(
            scorecard=scorecard,
            number=latest.number + 1,
            name=name[:200],
            passing_score=passing,
            created_by=user_of(actor),
        )
    else:
        version = latest
        version.name = name[:200]
        version.passing_score = passing
        version.save(update_fields=["name", "passing_score"])
        version.checkpoints.all().delete()
    _write_checkpoints(version, specs)
    after = _version_snapshot(version)
    if version.pk == latest.pk:
        audit_record(
            actor=actor, action="qa.scorecard.edit", obj=version, before=before, after=after
        )
    else:
        audit_record(
            actor=actor, action="qa.scorecard.version", obj=version, before=before, after=after
        )
    return version


@transaction.atomic
def scorecard_set_active(*, actor, scorecard: Scorecard, active: bool) -> Scorecard:
    """Retire a scorecard (no new reviews with it) or bring it back."""
    if not access.can_edit_scorecards(actor):
        raise PermissionDenied(_("You may not edit QA scorecards."))
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if scorecard.is_active == active:
        return scorecard
    if (
        not active
        and not Scorecard.objects.filter(is_active=True).exclude(pk=scorecard.pk).exists()
    ):
        raise ValidationError(_("At least one scorecard stays active."))
    before = {"is_active": scorecard.is_active}
    scorecard.is_active = active
    scorecard.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="qa.scorecard.active",
        obj=scorecard,
        before=before,
        after={"is_active": active},
    )
    return scorecard
