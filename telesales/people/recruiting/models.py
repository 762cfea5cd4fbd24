"""The recruiting pipeline (source §2.2.1, PRODUCT.md §3 row 2.2.1): openings of a team,
their candidates moving through the stages, interview rounds with the interviewers'
scorecards, the offer and its decision, and the hire that makes a candidate an employee."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telesales.org.models import Employee, Role, Team

DEFAULT_POSITION = "电销专员"


class Opening(models.Model):
    """A team's need for `headcount` new people in one position; it is filled when as many
    of its candidates have been hired."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ON_HOLD = "on_hold", _("On hold")
        FILLED = "filled", _("Filled")
        CLOSED = "closed", _("Closed")

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="openings"
    )
    position = models.CharField(_("position"), max_length=100, default=DEFAULT_POSITION)
    role = models.CharField(
        _("role of the hire"), max_length=20, choices=Role.choices, default=Role.REP
    )
    headcount = models.PositiveSmallIntegerField(_("headcount"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    wanted_by = models.DateField(_("wanted by"), null=True, blank=True)
    hiring_manager = models.ForeignKey(
        Employee,
        verbose_name=_("hiring manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_openings",
    )
    owner = models.ForeignKey(
        Employee,
        verbose_name=_("owner (HR)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_openings",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("opening")
        verbose_name_plural = _("openings")
        indexes = [models.Index(fields=["team", "status"], name="opening_team_status")]
        constraints = [
            models.CheckConstraint(condition=Q(headcount__gte=1), name="opening_headcount_min_1")
        ]

    def __str__(self) -> str:
        return f"{self.team.code} {self.position} ×{self.headcount}"


class Source(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    JOB_BOARD = "job_board", _("Job board")
    CAMPUS = "campus", _("Campus")
    AGENCY = "agency", _("Agency")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    APPLIED = "applied", _("Applied")
    SCREENING = "screening", _("Screening")
    INTERVIEW = "interview", _("Interview")
    OFFER = "offer", _("Offer")
    HIRED = "hired", _("Hired")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The stages a candidate leaves no more.
FINAL_STAGES = (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN)
# The road to a hire, in order (the funnel).
PIPELINE = (Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED)


class Candidate(models.Model):
    """A person applying for an opening; `phone` is stored in E.164 form."""

    class Decision(models.TextChoices):
        PENDING = "", _("Waiting for the answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    opening = models.ForeignKey(
        Opening, verbose_name=_("opening"), on_delete=models.PROTECT, related_name="candidates"
    )
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    email = models.EmailField(_("email"), blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    cv_notes = models.TextField(_("CV notes"), blank=True)
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.APPLIED
    )
    stage_changed_at = models.DateTimeField(_("stage changed at"), default=timezone.now)
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    offer_start_date = models.DateField(_("proposed start date"), null=True, blank=True)
    offer_note = models.CharField(_("offer terms"), max_length=300, blank=True)
    offer_made_at = models.DateTimeField(_("offer made at"), null=True, blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default="", blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    employee = models.OneToOneField(
        Employee,
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidacy",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        indexes = [models.Index(fields=["opening", "stage"], name="candidate_opening_stage")]
        constraints = [
            models.UniqueConstraint(
                fields=["opening", "phone"], name="candidate_phone_once_per_opening"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_final(self) -> bool:
        return self.stage in FINAL_STAGES


class StageChange(models.Model):
    """One move of a candidate from a stage to another: who, when and why."""

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="moves"
    )
    from_stage = models.CharField(_("from"), max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=12, choices=Stage.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=150, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [models.Index(fields=["to_stage", "candidate"], name="stage_change_to")]

    def __str__(self) -> str:
        return f"{self.candidate} {self.from_stage}→{self.to_stage}"


class InterviewRound(models.Model):
    """One interview of a candidate, numbered 1, 2, … per candidate, held by one interviewer."""

    class Kind(models.TextChoices):
        PHONE_SCREEN = "phone_screen", _("Phone screen")
        ONSITE = "onsite", _("On-site interview")
        ROLE_PLAY = "role_play", _("Role-play sales call")
        FINAL = "final", _("Final interview")

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField(_("round"))
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    interviewer = models.ForeignKey(
        Employee,
        verbose_name=_("interviewer"),
        on_delete=models.PROTECT,
        related_name="interview_rounds",
    )
    scheduled_at = models.DateTimeField(_("scheduled at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["candidate", "number"]
        verbose_name = _("interview round")
        verbose_name_plural = _("interview rounds")
        indexes = [models.Index(fields=["interviewer", "scheduled_at"], name="round_interviewer")]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "number"], name="round_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.candidate} #{self.number}"


class Criterion(models.TextChoices):
    """What an interviewer rates, 1 (poor) to 5 (excellent)."""

    COMMUNICATION = "communication", _("Communication")
    RESILIENCE = "resilience", _("Resilience under pressure")
    SALES_SENSE = "sales_sense", _("Sales sense")
    LEARNING = "learning", _("Learning ability")
    MOTIVATION = "motivation", _("Stability and motivation")


class Recommendation(models.TextChoices):
    STRONG_YES = "strong_yes", _("Strongly recommend")
    YES = "yes", _("Recommend")
    NO = "no", _("Do not recommend")
    STRONG_NO = "strong_no", _("Strongly advise against")


class Scorecard(models.Model):
    """The interviewer's verdict on a round; submitted once and never edited."""

    round = models.OneToOneField(
        InterviewRound,
        verbose_name=_("round"),
        on_delete=models.CASCADE,
        related_name="scorecard",
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices
    )
    notes = models.TextField(_("notes"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self) -> str:
        return f"{self.round} {self.recommendation}"


class Rating(models.Model):
    """One criterion of a scorecard, rated 1 to 5."""

    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="ratings"
    )
    criterion = models.CharField(_("criterion"), max_length=20, choices=Criterion.choices)
    score = models.PositiveSmallIntegerField(_("score (1–5)"))

    class Meta:
        ordering = ["scorecard", "id"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "criterion"], name="rating_once"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}={self.score}"
