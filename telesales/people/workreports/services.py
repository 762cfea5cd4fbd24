"""Writes to work reports: saving a draft, the one transition function with its table of
allowed moves (submit, return for revision, submit again), and the superior's quality
rating. Each is atomic, takes the acting user (None or a label such as "demo": the system
itself), checks their rights, and writes its audit row and the report's history in the same
transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.audit import audit_record, snapshot
from telesales.org.access import user_employee
from telesales.org.models import Employee
from telesales.people.workreports import access
from telesales.people.workreports.models import ReportKind, WorkReport, WorkReportEvent
from telesales.people.workreports.schedule import owes, period_for

Status = WorkReport.Status

# The sections of a report, in order; all but "support needed" must be filled in to submit.
SECTIONS: tuple[tuple[str, Promise], ...] = (
    ("summary", gettext_lazy("Summary of results")),
    ("problems", gettext_lazy("Problems and causes")),
    ("actions", gettext_lazy("Actions taken")),
    ("plan", gettext_lazy("Plan for the next period")),
    ("support", gettext_lazy("Support needed")),
)
REQUIRED_SECTIONS = ("summary", "problems", "actions", "plan")
SECTION_MAX_LENGTH = 5000

REPORT_FIELDS = [
    "author_id",
    "kind",
    "period_start",
    "period_end",
    "status",
    *(name for name, _label in SECTIONS),
    "first_submitted_at",
    "submitted_at",
    "returned_at",
    "return_reason",
]
RATING_FIELDS = ["rating", "rating_comment", "rater_id", "rated_at"]

# -- the state machine -------------------------------------------------------------------------

AUTHOR = "author"
RATER = "rater"


@dataclass(frozen=True)
class Move:
    label: Promise
    who: str  # AUTHOR or RATER


# The only moves a report makes; anything else is refused. A return reopens the report for
# the author; submitting again keeps the first submission time, on which timeliness is judged.
MOVES: dict[tuple[str, str], Move] = {
    (Status.DRAFT, Status.SUBMITTED): Move(gettext_lazy("Submit"), AUTHOR),
    (Status.SUBMITTED, Status.RETURNED): Move(gettext_lazy("Return for revision"), RATER),
    (Status.RETURNED, Status.SUBMITTED): Move(gettext_lazy("Submit again"), AUTHOR),
}
EDITABLE = {Status.DRAFT, Status.RETURNED}


def _may(user, report: WorkReport, move: Move) -> bool:
    if move.who == AUTHOR:
        return access.may_write(user, report.author)
    return access.may_rate(user, report)


def report_moves_for(user, report: WorkReport) -> list[tuple[str, Move]]:
    """The moves this user may make on this report now: (target status, move)."""
    return [
        (to_status, move)
        for (from_status, to_status), move in MOVES.items()
        if from_status == report.status and _may(user, report, move)
    ]


def _user_of(actor):
    return None if access.is_system(actor) else actor


def _status_label(value: str) -> str:
    return str(dict(Status.choices).get(value, value))


def _missing_sections(report: WorkReport) -> list[str]:
    labels = dict(SECTIONS)
    return [str(labels[name]) for name in REQUIRED_SECTIONS if not getattr(report, name).strip()]


@transaction.atomic
def report_transition(
    *, actor, report: WorkReport, to_status: str, reason: str = "", at: dt.datetime | None = None
) -> WorkReport:
    """Move a report along one of the allowed moves (MOVES), recorded in its history. A
    submission needs every required section; a return needs a reason."""
    report = WorkReport.objects.select_for_update().select_related("author").get(pk=report.pk)
    if not access.reports_visible_to(actor).filter(pk=report.pk).exists():
        raise PermissionDenied(_("You may not change this report."))
    move = MOVES.get((report.status, to_status))
    if move is None:
        raise ValidationError(
            _("A report that is “%(from)s” cannot be moved to “%(to)s”.")
            % {"from": _status_label(report.status), "to": _status_label(to_status)}
        )
    if not _may(actor, report, move):
        raise PermissionDenied(_("You may not change this report."))
    at = at or timezone.now()
    reason = (reason or "").strip()
    before = snapshot(report, REPORT_FIELDS)
    if to_status == Status.SUBMITTED:
        missing = _missing_sections(report)
        if missing:
            raise ValidationError(
                _("Fill in these sections before submitting: %(sections)s.")
                % {"sections": ", ".join(missing)}
            )
        report.submitted_at = at
        report.first_submitted_at = report.first_submitted_at or at
        kind = WorkReportEvent.Kind.SUBMITTED
    else:
        if not reason:
            raise ValidationError(_("Say why the report is returned, so its author can revise it."))
        if report.submitted_at is not None and at < report.submitted_at:
            raise ValidationError(_("A report cannot be returned before it was submitted."))
        report.returned_at = at
        report.return_reason = reason[:SECTION_MAX_LENGTH]
        kind = WorkReportEvent.Kind.RETURNED
    report.status = to_status
    report.save()
    WorkReportEvent.objects.create(
        report=report, kind=kind, at=at, actor=_user_of(actor), note=reason[:SECTION_MAX_LENGTH]
    )
    audit_record(
        actor=actor,
        action="workreport.transition",
        obj=report,
        before=before,
        after=snapshot(report, REPORT_FIELDS),
    )
    return report


@transaction.atomic
def report_save(
    *,
    actor,
    author: Employee,
    kind: str,
    period_start: dt.date,
    sections: dict[str, str],
    submit: bool = False,
    at: dt.datetime | None = None,
) -> WorkReport:
    """Store the author's text for a period's report, stored as a row when first saved; with
    `submit`, submit it in the same transaction (nothing is stored when that is refused). Only
    the author writes, only a report they owe, only once its period has started, and never
    once it is submitted (until it is returned)."""
    if not access.may_write(actor, author):
        raise PermissionDenied(_("Only the author may write this report."))
    if kind not in ReportKind.values:
        raise ValidationError(_("“%(value)s” is not a kind of report.") % {"value": kind})
    period = period_for(kind, period_start)
    if period is None:
        raise ValidationError(
            _("A weekly report starts on a Monday and a monthly report on the 1st of a month.")
        )
    at = at or timezone.now()
    if period.start > timezone.localtime(at).date():
        raise ValidationError(_("This period has not started yet; its report cannot be written."))
    unknown = set(sections) - {name for name, _label in SECTIONS}
    if unknown:
        raise TypeError(f"unknown sections: {sorted(unknown)}")
    too_long = [
        str(label)
        for name, label in SECTIONS
        if len((sections.get(name) or "").strip()) > SECTION_MAX_LENGTH
    ]
    if too_long:
        raise ValidationError(
            _("These sections are longer than %(max)s characters: %(sections)s.")
            % {"max": SECTION_MAX_LENGTH, "sections": ", ".join(too_long)}
        )
    report = (
        WorkReport.objects.select_for_update()
        .filter(author=author, kind=kind, period_start=period.start)
        .first()
    )
    if report is None:
        if not owes(author, period):
            raise ValidationError(
                _(
                    "%(name)s owes no report for %(period)s: they did not lead a team at the end "
                    "of it."
                )
                % {"name": author.name, "period": period.code}
            )
        try:
            with transaction.atomic():  # a savepoint: a second tab may have stored it
                report = WorkReport.objects.create(
                    author=author, kind=kind, period_start=period.start, period_end=period.end
                )
        except IntegrityError:
            report = WorkReport.objects.select_for_update().get(
                author=author, kind=kind, period_start=period.start
            )
        before = None
    else:
        before = snapshot(report, REPORT_FIELDS)
    if report.status not in EDITABLE:
        raise ValidationError(
            _(
                "This report has been submitted and can no longer be changed; it can be edited "
                "again only if it is returned for revision."
            )
        )
    for name, _label in SECTIONS:
        if name in sections:
            setattr(report, name, (sections[name] or "").strip())
    report.save()
    audit_record(
        actor=actor,
        action="workreport.create" if before is None else "workreport.update",
        obj=report,
        before=before,
        after=snapshot(report, REPORT_FIELDS),
    )
    if submit:
        report = report_transition(actor=actor, report=report, to_status=Status.SUBMITTED, at=at)
    return report


@transaction.atomic
def report_rate(
    *,
    actor,
    report: WorkReport,
    rating: int,
    comment: str = "",
    at: dt.datetime | None = None,
) -> WorkReport:
    """The superior's quality rating of a submitted report, 1 to 5 with a comment. A report
    holds one rating: rating it again replaces it, and the earlier one stays in the audit log
    and the report's history."""
    report = WorkReport.objects.select_for_update().select_related("author").get(pk=report.pk)
    if not access.reports_visible_to(actor).filter(pk=report.pk).exists():
        raise PermissionDenied(_("You may not rate this report."))
    if not access.may_rate(actor, report):
        raise PermissionDenied(_("You may not rate this report."))
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError(_("A quality rating is a whole number from 1 to 5."))
    if report.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be rated."))
    at = at or timezone.now()
    if report.submitted_at is not None and at < report.submitted_at:
        raise ValidationError(_("A report cannot be rated before it was submitted."))
    comment = (comment or "").strip()[:SECTION_MAX_LENGTH]
    before = snapshot(report, RATING_FIELDS)
    report.rating = rating
    report.rating_comment = comment
    report.rater = None if access.is_system(actor) else user_employee(actor)
    report.rated_at = at
    report.save(update_fields=[*(f.removesuffix("_id") for f in RATING_FIELDS), "updated_at"])
    WorkReportEvent.objects.create(
        report=report,
        kind=WorkReportEvent.Kind.RATED,
        at=at,
        actor=_user_of(actor),
        note=comment,
        rating=rating,
    )
    audit_record(
        actor=actor,
        action="workreport.rate",
        obj=report,
        before=before,
        after=snapshot(report, RATING_FIELDS),
    )
    return report
