"""Talent development and the successor bench (source §2.2.3 人才培养与梯队建设, PRODUCT.md §3
row 2.2.3): individual development plans with goals and their progress over time, mentors,
job rotations, and nominations of future team leads with their readiness."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telesales.core.models import TimeStampedModel
from telesales.org.models import Department, Employee, Role, Team


class DevelopmentPlan(TimeStampedModel):
    """An employee's individual development plan (IDP) for a period; status moves
    draft → active → completed, and a draft or active plan may be cancelled. An employee has
    at most one active plan."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="development_plans",
    )
    title = models.CharField(_("title"), max_length=200)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    summary = models.TextField(_("focus"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="idp_end_after_start"),
            models.UniqueConstraint(
                fields=["employee"], condition=Q(status="active"), name="idp_one_active_plan"
            ),
        ]
        indexes = [models.Index(fields=["employee", "status"], name="idp_employee_status")]

    def __str__(self) -> str:
        return f"{self.employee} {self.title}"


class DevelopmentGoal(TimeStampedModel):
    """One goal of a plan: what is to be achieved, how it is measured, when, and how far it
    has come (0–100 %). Its status follows its progress unless it was dropped."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(
        DevelopmentPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="goals"
    )
    title = models.CharField(_("goal"), max_length=200)
    measure = models.CharField(_("how it is measured"), max_length=300)
    due_on = models.DateField(_("due"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("development goal")
        verbose_name_plural = _("development goals")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="idp_goal_progress_0_100"
            )
        ]

    def __str__(self) -> str:
        return self.title


class GoalProgress(models.Model):
    """One change of a goal's progress: who, when, from what to what, and why."""

    goal = models.ForeignKey(
        DevelopmentGoal,
        verbose_name=_("goal"),
        on_delete=models.CASCADE,
        related_name="progress_updates",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_progress = models.PositiveSmallIntegerField(_("from (%)"))
    to_progress = models.PositiveSmallIntegerField(_("to (%)"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("goal progress update")
        verbose_name_plural = _("goal progress updates")

    def __str__(self) -> str:
        return f"{self.goal} {self.from_progress}→{self.to_progress}"


class PlanComment(models.Model):
    """A comment on a plan by the employee or their line."""

    plan = models.ForeignKey(
        DevelopmentPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="comments"
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
    body = models.TextField(_("comment"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("plan comment")
        verbose_name_plural = _("plan comments")

    def __str__(self) -> str:
        return f"{self.plan} {self.at:%Y-%m-%d %H:%M}"


class Mentorship(TimeStampedModel):
    """A mentor assigned to a mentee from `start` up to and including `end` (open when
    empty). A person has at most one mentor at a time."""

    mentor = models.ForeignKey(
        Employee, verbose_name=_("mentor"), on_delete=models.CASCADE, related_name="mentoring"
    )
    mentee = models.ForeignKey(
        Employee, verbose_name=_("mentee"), on_delete=models.CASCADE, related_name="mentored_by"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until (included)"), null=True, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    end_note = models.CharField(_("closing note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="mentorship_end_after_start",
            ),
            models.CheckConstraint(condition=~Q(mentor=F("mentee")), name="mentorship_not_self"),
            models.UniqueConstraint(
                fields=["mentee"], condition=Q(end__isnull=True), name="mentorship_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee}"

    def is_active_on(self, day) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


class Rotation(TimeStampedModel):
    """A job rotation as a development record: the employee works for a while in another team,
    department or position. The employee's own team is not changed (org owns that)."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="rotations"
    )
    to_team = models.ForeignKey(
        Team,
        verbose_name=_("to team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_department = models.ForeignKey(
        Department,
        verbose_name=_("to department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_position = models.CharField(_("to position"), max_length=100, blank=True)
    start = models.DateField(_("from"))
    end = models.DateField(_("until (included)"), null=True, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("rotation")
        verbose_name_plural = _("rotations")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="rotation_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.start}"


class Readiness(models.TextChoices):
    """How soon a nominee could take the target role; the order is the bench's sort order."""

    READY_NOW = "ready_now", _("Ready now")
    ONE_YEAR = "1_year", _("Ready within 1 year")
    TWO_YEARS = "2_years", _("Ready within 2 years")


TARGET_ROLES = [
    (Role.SUPERVISOR.value, Role.SUPERVISOR.label),
    (Role.MANAGER.value, Role.MANAGER.label),
]


class Nomination(TimeStampedModel):
    """An employee on the successor bench for a role (by default team lead), with the latest
    assessment of their readiness; every assessment is kept in SuccessionAssessment."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("On the bench")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    employee = models.ForeignKey(
        Employee,
        verbose_name=_("nominee"),
        on_delete=models.CASCADE,
        related_name="nominations",
    )
    target_role = models.CharField(
        _("target role"), max_length=20, choices=TARGET_ROLES, default=Role.SUPERVISOR
    )
    readiness = models.CharField(_("readiness"), max_length=12, choices=Readiness.choices)
    strengths = models.TextField(_("strengths"), blank=True)
    gaps = models.TextField(_("gaps"), blank=True)
    assessed_by = models.ForeignKey(
        Employee,
        verbose_name=_("assessed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_on = models.DateField(_("assessed on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["employee", "target_role"]
        verbose_name = _("successor nomination")
        verbose_name_plural = _("successor nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "target_role"],
                condition=Q(status="active"),
                name="nomination_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee} → {self.target_role}"


class SuccessionAssessment(models.Model):
    """One assessment of a nominee's readiness, as it was made (the history of the bench)."""

    nomination = models.ForeignKey(
        Nomination,
        verbose_name=_("nomination"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    readiness = models.CharField(_("readiness"), max_length=12, choices=Readiness.choices)
    strengths = models.TextField(_("strengths"), blank=True)
    gaps = models.TextField(_("gaps"), blank=True)
    assessed_by = models.ForeignKey(
        Employee,
        verbose_name=_("assessed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_on = models.DateField(_("assessed on"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["assessed_on", "id"]
        verbose_name = _("readiness assessment")
        verbose_name_plural = _("readiness assessments")

    def __str__(self) -> str:
        return f"{self.nomination} {self.readiness} {self.assessed_on}"
