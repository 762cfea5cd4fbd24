"""Training (source §2.2.2, PRODUCT.md §5 training_completion_rate, training_effect,
skill_score_avg): onboarding templates for new hires, recurring plans for current staff,
their sessions with invitations and attendance, and assessments with their results."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from telesales.core.models import TimeStampedModel
from telesales.org.models import Employee, Team


class Topic(models.TextChoices):
    PRODUCT_KNOWLEDGE = "product_knowledge", _("Product knowledge")
    SALES_PROCESS = "sales_process", _("Sales process")
    CALL_SCRIPTS = "call_scripts", _("Call scripts")
    COMPLIANCE = "compliance", _("Compliance")
    SYSTEMS = "systems", _("Systems and tools")
    PRODUCT_UPDATES = "product_updates", _("Product updates")
    SELLING_SKILLS = "selling_skills", _("Selling skills")
    INDUSTRY_NEWS = "industry_news", _("Industry news")
    OTHER = "other", _("Other")


class OnboardingTemplate(TimeStampedModel):
    """The sessions every new rep goes through in their first working days; the active
    template is the one new hires get."""

    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=False)

    class Meta:
        ordering = ["-is_active", "name", "id"]
        verbose_name = _("onboarding template")
        verbose_name_plural = _("onboarding templates")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="training_one_active"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TemplateItem(models.Model):
    """One session of an onboarding template, on the `workday`-th working day of
    employment (day 1: the first working day on or after the hire date)."""

    template = models.ForeignKey(
        OnboardingTemplate,
        verbose_name=_("template"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=200)
    workday = models.PositiveSmallIntegerField(_("working day"))
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))

    class Meta:
        ordering = ["template", "workday", "start_time", "id"]
        verbose_name = _("onboarding item")
        verbose_name_plural = _("onboarding items")
        constraints = [
            models.CheckConstraint(condition=Q(workday__gte=1), name="training_item_workday"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="training_item_duration"
            ),
        ]

    def __str__(self) -> str:
        return f"D{self.workday} {self.title}"


class TrainingPlan(TimeStampedModel):
    """An onboarding plan of one new hire, or a recurring plan (weekly or monthly over a date
    range) for a team or, without a team, for the whole company."""

    class Kind(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        RECURRING = "recurring", _("Recurring")

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices, blank=True)
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("new hire"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="onboarding_plans",
    )
    template = models.ForeignKey(
        OnboardingTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_plans",
    )
    trainer = models.ForeignKey(
        Employee,
        verbose_name=_("trainer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_plans_given",
    )
    frequency = models.CharField(
        _("recurrence"), max_length=10, choices=Frequency.choices, blank=True
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)  # 0 Monday
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        constraints = [
            models.UniqueConstraint(
                fields=["employee"],
                condition=Q(kind="onboarding"),
                name="training_one_onboarding_plan",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="training_plan_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TrainingSession(TimeStampedModel):
    """One training event on a local date and time; its status moves planned → held or
    planned ⇄ cancelled (see services.sessions.MOVES)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(
        TrainingPlan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices)
    trainer = models.ForeignKey(
        Employee,
        verbose_name=_("trainer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions_given",
    )
    date = models.DateField(_("date"))  # company-local
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["date", "start_time", "id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        indexes = [
            models.Index(fields=["date", "status"], name="training_session_date"),
            models.Index(fields=["date", "title"], name="training_session_title"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class Attendance(models.TextChoices):
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class Invitation(models.Model):
    """An employee invited to a session, with their attendance once the session was held."""

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("trainee"),
        on_delete=models.CASCADE,
        related_name="training_invitations",
    )
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, blank=True
    )

    class Meta:
        ordering = ["session", "employee__employee_no"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["session", "employee"], name="training_invited_once")
        ]
        indexes = [models.Index(fields=["employee", "session"], name="training_invitee")]

    def __str__(self) -> str:
        return f"{self.session} · {self.employee}"


class Assessment(models.Model):
    """The assessment of a session: a course assessment (a score before and after the
    course) or a skill assessment (one score), both 0–100, with an optional pass mark."""

    class Kind(models.TextChoices):
        COURSE = "course", _("Course assessment")
        SKILL = "skill", _("Skill assessment")

    session = models.OneToOneField(
        TrainingSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="assessment",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"))
    pass_mark = models.DecimalField(
        _("pass mark"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [models.Index(fields=["kind", "date"], name="training_assessment_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__isnull=True) | Q(pass_mark__gte=0, pass_mark__lte=100),
                name="training_pass_mark_0_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.session} ({self.kind})"


class AssessmentResult(models.Model):
    """A trainee's score (after the course, or of the skill assessment) and, for a course,
    their score before it."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="results"
    )
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("trainee"),
        on_delete=models.CASCADE,
        related_name="training_results",
    )
    pre_score = models.DecimalField(
        _("score before"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["assessment", "employee__employee_no"]
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "employee"], name="training_result_once"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="training_score_0_100"
            ),
            models.CheckConstraint(
                condition=Q(pre_score__isnull=True) | Q(pre_score__gte=0, pre_score__lte=100),
                name="training_pre_score_0_100",
            ),
        ]
        indexes = [models.Index(fields=["employee", "assessment"], name="training_result_emp")]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.employee}: {self.score}"

    @property
    def improvement(self):
        return None if self.pre_score is None else self.score - self.pre_score

    @property
    def passed(self) -> bool | None:
        mark = self.assessment.pass_mark
        return None if mark is None else self.score >= mark
