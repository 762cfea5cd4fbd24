"""Customer feedback and complaints routed to departments with SLA timers, and customer
satisfaction surveys (source §2.5, PRODUCT.md §5 csat_rate, complaint_timely_rate)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telesales.org.models import Department, Employee


class TicketKind(models.TextChoices):
    FEEDBACK = "feedback", _("Feedback")
    COMPLAINT = "complaint", _("Complaint")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class SlaRule(models.Model):
    """Hours to resolve a ticket of a kind and priority."""

    kind = models.CharField(_("kind"), max_length=12, choices=TicketKind.choices)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices)
    hours = models.PositiveIntegerField(_("hours to resolve"))

    class Meta:
        ordering = ["kind", "priority"]
        verbose_name = _("SLA rule")
        verbose_name_plural = _("SLA rules")
        constraints = [models.UniqueConstraint(fields=["kind", "priority"], name="sla_unique")]

    def __str__(self) -> str:
        return f"{self.kind}/{self.priority}: {self.hours} h"


class Ticket(models.Model):
    """Feedback or a complaint; status moves open → in progress → resolved → closed, and a
    resolved or closed ticket may be reopened."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=TicketKind.choices)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("description"), blank=True)
    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        help_text=_("The rep whose customer this is (complaints count in their KPIs)."),
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="tickets"
    )
    assignee = models.ForeignKey(
        Employee,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    sla_hours = models.PositiveIntegerField(_("SLA (hours)"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened = models.PositiveIntegerField(_("times reopened"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["department", "status"], name="ticket_queue"),
            models.Index(fields=["employee", "opened_at"], name="ticket_employee"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class TicketComment(models.Model):
    """A comment, or a recorded status change (from_status/to_status set)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    body = models.TextField(_("comment"), blank=True)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ticket comment")
        verbose_name_plural = _("ticket comments")

    def __str__(self) -> str:
        return f"{self.ticket} {self.at:%Y-%m-%d %H:%M}"


class SurveyResponse(models.Model):
    """A customer's satisfaction score (1–5) about a rep."""

    response_no = models.CharField(_("response id"), max_length=60, unique=True)
    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    score = models.PositiveSmallIntegerField(_("score (1–5)"))
    responded_on = models.DateField(_("date"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-responded_on", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["employee", "responded_on"], name="survey_employee")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="survey_score_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response_no} {self.score}"
