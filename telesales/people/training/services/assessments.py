"""Assessments of held sessions: course assessments (a score before and after the course)
and skill assessments (one score), each 0–100, with an optional pass mark."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record
from telesales.people.training.models import (
    Assessment,
    AssessmentResult,
    Attendance,
    TrainingSession,
)
from telesales.people.training.services.common import score_check
from telesales.people.training.services.sessions import _check

Kind = Assessment.Kind


@dataclass(frozen=True)
class ScoreEntry:
    """A trainee's scores; both None removes their result."""

    employee_id: int
    pre_score: Decimal | None
    score: Decimal | None


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@transaction.atomic
def session_scores_record(
    *,
    actor,
    session: TrainingSession,
    kind: str,
    pass_mark: Decimal | None,
    scores: list[ScoreEntry],
) -> int:
    """Record the scores of a held session's trainees who attended. A course result has the
    score after the course and may have the one before; a skill result has one score. Every
    score is from 0 to 100; a bad one refuses the whole entry. Returns how many changed."""
    session = (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=session.pk)
    )
    _check(actor, session)
    if session.status != TrainingSession.Status.HELD:
        raise ValidationError(_("Scores are recorded once the session was held."))
    if kind not in Kind.values:
        raise ValidationError(_("“%(value)s” is not a kind of assessment.") % {"value": kind})
    pass_mark = score_check(pass_mark, who=_("Pass mark"))
    invitations = {
        i.employee_id: i
        for i in session.invitations.select_related("employee").filter(
            employee_id__in=[s.employee_id for s in scores]
        )
    }
    checked: list[tuple] = []
    for entry in scores:
        invitation = invitations.get(entry.employee_id)
        if invitation is None:
            raise ValidationError(_("Only those invited have scores."))
        name = invitation.employee.name
        pre = score_check(entry.pre_score, who=name)
        post = score_check(entry.score, who=name)
        if pre is not None and post is None:
            raise ValidationError(
                _("%(name)s: a score before the course needs the score after it too.")
                % {"name": name}
            )
        if kind == Kind.SKILL and pre is not None:
            raise ValidationError(
                _("%(name)s: a skill assessment has one score, not a score before.")
                % {"name": name}
            )
        if post is not None and invitation.attendance != Attendance.ATTENDED:
            raise ValidationError(
                _("%(name)s did not attend; only those who attended have scores.") % {"name": name}
            )
        checked.append((invitation, pre, post))
    assessment = Assessment.objects.filter(session=session).first()
    if assessment is None:
        assessment = Assessment.objects.create(
            session=session, kind=kind, date=session.date, pass_mark=pass_mark
        )
        assessment_before = {}
    else:
        assessment_before = {"kind": assessment.kind, "pass_mark": _plain(assessment.pass_mark)}
        if assessment.kind != kind and assessment.results.exists():
            raise ValidationError(
                _(
                    "This session already has the scores of a %(kind)s; remove them before "
                    "recording another kind."
                )
                % {"kind": Kind(assessment.kind).label}
            )
        if (assessment.kind, assessment.pass_mark) != (kind, pass_mark):
            assessment.kind, assessment.pass_mark = kind, pass_mark
            assessment.save(update_fields=["kind", "pass_mark"])
    stored = {r.employee_id: r for r in assessment.results.all()}
    before: dict = {}
    after: dict = {}
    changed = 0
    new: list[AssessmentResult] = []
    for invitation, pre, post in checked:
        number = invitation.employee.employee_no
        result = stored.get(invitation.employee_id)
        old = (result.pre_score, result.score) if result else (None, None)
        if old == (pre, post):
            continue
        before[number] = [_plain(old[0]), _plain(old[1])]
        after[number] = [_plain(pre), _plain(post)]
        changed += 1
        if post is None:
            result.delete()
        elif result is None:
            new.append(
                AssessmentResult(
                    assessment=assessment,
                    employee_id=invitation.employee_id,
                    pre_score=pre,
                    score=post,
                )
            )
        else:
            result.pre_score, result.score = pre, post
            result.save(update_fields=["pre_score", "score"])
    AssessmentResult.objects.bulk_create(new)
    assessment_after = {"kind": assessment.kind, "pass_mark": _plain(assessment.pass_mark)}
    if changed or assessment_before != assessment_after:
        audit_record(
            actor=actor,
            action="training.session.scores",
            obj=session,
            before={**assessment_before, "scores": before},
            after={**assessment_after, "scores": after},
        )
    return changed
