"""Supervisors' work reports to their superiors (source §2.4.3 向上级汇报, §3.2 evidence
"work reports"; PRODUCT.md §5 report_timeliness and report_quality).

A supervisor owes a weekly report for every ISO week and a monthly report for every month in
which they lead a team (telesales.people.workreports.schedule); a row is stored when the
author first saves the report, so a report never written is due and missing without a row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from telesales.core.models import TimeStampedModel
from telesales.org.models import Employee


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly report")
    MONTHLY = "monthly", _("Monthly report")


class WorkReport(TimeStampedModel):
    """One supervisor's report for one week or month; status moves draft → submitted, and a
    submitted report may be returned for revision and submitted again. The first submission
    time is kept: timeliness is judged on it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for revision")

    author = models.ForeignKey(
        Employee, verbose_name=_("author"), on_delete=models.PROTECT, related_name="work_reports"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    summary = models.TextField(_("summary of results"), blank=True)
    problems = models.TextField(_("problems and causes"), blank=True)
    actions = models.TextField(_("actions taken"), blank=True)
    plan = models.TextField(_("plan for the next period"), blank=True)
    support = models.TextField(_("support needed"), blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    rating = models.PositiveSmallIntegerField(_("quality rating (1–5)"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rater = models.ForeignKey(
        Employee,
        verbose_name=_("rated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rated_work_reports",
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "kind", "author"]
        verbose_name = _("work report")
        verbose_name_plural = _("work reports")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "kind", "period_start"], name="workreport_unique_period"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="workreport_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="workreport_period_order",
            ),
        ]
        indexes = [models.Index(fields=["period_start", "author"], name="workreport_period")]

    def __str__(self) -> str:
        return f"{self.author.employee_no} {self.get_kind_display()} {self.period_start}"


class WorkReportEvent(models.Model):
    """A line of a report's history: a submission, a return with its reason, or a rating."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for revision")
        RATED = "rated", _("Rated")

    report = models.ForeignKey(
        WorkReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("work report event")
        verbose_name_plural = _("work report events")

    def __str__(self) -> str:
        return f"{self.report} {self.kind} {self.at:%Y-%m-%d %H:%M}"
