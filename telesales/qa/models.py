"""Call monitoring and coaching (source §2.1.2, PRODUCT.md §3 2.1.2, §5 qa_score_avg and
qa_pass_rate): versioned QA scorecards, reviews of listened calls, the weekly review queue,
calibration, coaching sessions (incl. joint calls with key customers) and their actions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telesales.org.models import Employee


class Scorecard(models.Model):
    """A QA scorecard template, known by its code; its content lives in versions."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active scorecards are offered for reviews.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("QA scorecard")
        verbose_name_plural = _("QA scorecards")

    def __str__(self) -> str:
        return self.code


class ScorecardVersion(models.Model):
    """One version of a scorecard. A version that a review used is never changed; editing
    it makes the next version, and reviews keep pointing at theirs."""

    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    passing_score = models.DecimalField(_("passing score"), max_digits=5, decimal_places=2)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["scorecard", "-number"]
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "number"], name="qa_version_unique"),
            models.CheckConstraint(
                condition=Q(passing_score__gte=0, passing_score__lte=100),
                name="qa_passing_score_0_to_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scorecard.code} v{self.number}"


class Checkpoint(models.Model):
    """One line of a scorecard version: scored 0..points, or, for an instant-fail item (a red
    line such as a false promise), only triggered or not; instant-fail items carry no points."""

    version = models.ForeignKey(
        ScorecardVersion,
        verbose_name=_("scorecard version"),
        on_delete=models.CASCADE,
        related_name="checkpoints",
    )
    order = models.PositiveIntegerField(_("order"), default=10)
    label = models.CharField(_("checkpoint"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    points = models.PositiveSmallIntegerField(_("points"), default=0)
    instant_fail = models.BooleanField(_("instant fail"), default=False)

    class Meta:
        ordering = ["version", "instant_fail", "order", "id"]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        constraints = [
            models.CheckConstraint(
                condition=Q(instant_fail=False, points__gt=0) | Q(instant_fail=True, points=0),
                name="qa_checkpoint_points",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Review(models.Model):
    """A reviewer's QA review of one call. A call has at most one regular review; a second
    reviewer's review of the same call is a calibration review, which never counts in KPIs.
    score = Σ awarded / Σ possible × 100 (2 decimals, half up); a triggered instant-fail item
    makes the score 0 and the review failed; passed = not instant-failed and score ≥ the
    version's passing score."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Review")
        CALIBRATION = "calibration", _("Calibration")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    class Source(models.TextChoices):
        APP = "app", _("Scored in the app")
        IMPORT = "import", _("Imported")

    call = models.ForeignKey(
        "calls.Call", verbose_name=_("call"), on_delete=models.PROTECT, related_name="qa_reviews"
    )
    version = models.ForeignKey(
        ScorecardVersion,
        verbose_name=_("scorecard version"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    reviewer = models.ForeignKey(
        Employee, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="qa_reviews"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.REGULAR)
    calibrates = models.ForeignKey(
        "self",
        verbose_name=_("calibrates"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calibrations",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default="app")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    instant_failed = models.BooleanField(_("instant fail"), default=False)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledgement = models.TextField(_("rep's comment"), blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        verbose_name = _("QA review")
        verbose_name_plural = _("QA reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "reviewer"], name="qa_review_once_per_reviewer"
            ),
            models.UniqueConstraint(
                fields=["call"], condition=Q(kind="regular"), name="qa_one_regular_review"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="qa_score_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(kind="regular", calibrates__isnull=True)
                | Q(kind="calibration", calibrates__isnull=False),
                name="qa_calibration_names_its_review",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind", "reviewed_at"], name="qa_review_kpi"),
        ]

    def __str__(self) -> str:
        return f"{self.call} · {self.reviewer.employee_no}"


class ReviewItem(models.Model):
    """What a review gave one checkpoint: points awarded, or whether an instant-fail item was
    triggered."""

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="items"
    )
    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name=_("checkpoint"), on_delete=models.PROTECT, related_name="+"
    )
    awarded = models.PositiveSmallIntegerField(_("points awarded"), default=0)
    triggered = models.BooleanField(_("triggered"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["review", "checkpoint__instant_fail", "checkpoint__order", "checkpoint_id"]
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        constraints = [
            models.UniqueConstraint(fields=["review", "checkpoint"], name="qa_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}/{self.checkpoint_id}"


class QueueItem(models.Model):
    """A call to review in a rep's week, with why it was picked: the seeded random sample, its
    outcome, or its talk time (long or short)."""

    class Reason(models.TextChoices):
        SAMPLE = "sample", _("Random sample")
        OUTCOME = "outcome", _("Outcome")
        LONG = "long", _("Long call")
        SHORT = "short", _("Short call")

    call = models.OneToOneField(
        "calls.Call", verbose_name=_("call"), on_delete=models.CASCADE, related_name="qa_queue"
    )
    rep = models.ForeignKey(
        Employee, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="qa_queue"
    )
    week_start = models.DateField(_("week of"))
    sampled = models.BooleanField(_("random sample"), default=False)
    outcome_code = models.CharField(_("outcome"), max_length=40, blank=True)
    long_call = models.BooleanField(_("long call"), default=False)
    short_call = models.BooleanField(_("short call"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-week_start", "rep", "call"]
        verbose_name = _("review queue item")
        verbose_name_plural = _("review queue items")
        indexes = [models.Index(fields=["week_start", "rep"], name="qa_queue_week_rep")]

    def __str__(self) -> str:
        return f"{self.week_start} {self.rep_id} {self.call_id}"

    @property
    def reasons(self) -> list[str]:
        return [code for code, on in self.reason_flags() if on]

    def reason_flags(self) -> list[tuple[str, bool]]:
        return [
            (self.Reason.SAMPLE, self.sampled),
            (self.Reason.OUTCOME, bool(self.outcome_code)),
            (self.Reason.LONG, self.long_call),
            (self.Reason.SHORT, self.short_call),
        ]


class CoachingSession(models.Model):
    """A coaching session with a rep: one-to-one, side-by-side listening, or a joint call with
    a key customer (the key-customer participation log of PRODUCT.md §3 2.1.2)."""

    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", _("One-to-one")
        SIDE_BY_SIDE = "side_by_side", _("Side-by-side listening")
        JOINT_CALL = "joint_call", _("Joint call with a key customer")

    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    coach = models.ForeignKey(
        Employee,
        verbose_name=_("coach"),
        on_delete=models.PROTECT,
        related_name="coaching_given",
    )
    rep = models.ForeignKey(
        Employee, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="coaching"
    )
    held_on = models.DateField(_("date"))
    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coaching_sessions",
    )
    notes = models.TextField(_("notes"), blank=True)
    reviews = models.ManyToManyField(
        Review, verbose_name=_("QA reviews"), blank=True, related_name="coaching_sessions"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("coaching session")
        verbose_name_plural = _("coaching sessions")
        indexes = [models.Index(fields=["rep", "held_on"], name="qa_coaching_rep")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="joint_call") | Q(customer__isnull=False),
                name="qa_joint_call_has_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.rep_id}"


class CoachingAction(models.Model):
    """An action agreed in a coaching session, with its owner and due date; open until done."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    session = models.ForeignKey(
        CoachingSession,
        verbose_name=_("coaching session"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    description = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        Employee, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="coaching_actions"
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("coaching action")
        verbose_name_plural = _("coaching actions")
        indexes = [models.Index(fields=["owner", "status", "due_on"], name="qa_action_owner")]

    def __str__(self) -> str:
        return self.description


class FollowUpCheck(models.Model):
    """A supervisor's check of a rep's customer follow-up records (source §2.1.2 "check
    customers' follow-up records"): each chosen customer's record is held against a fixed
    checklist; result = items met / applicable items × 100 over all the customers (2
    decimals, half up); passed = met / applicable ≥ the pass share in force when it was
    submitted. A submitted check is final; the rep acknowledges it once."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    rep = models.ForeignKey(
        Employee, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="followup_checks"
    )
    checker = models.ForeignKey(
        Employee,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        related_name="followup_checks_made",
    )
    checked_on = models.DateField(_("checked on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    comment = models.TextField(_("comment"), blank=True)
    met = models.PositiveSmallIntegerField(_("items met"), default=0)
    applicable = models.PositiveSmallIntegerField(_("applicable items"), default=0)
    result = models.DecimalField(
        _("result (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    pass_share = models.PositiveSmallIntegerField(_("pass share (%)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledgement = models.TextField(_("rep's comment"), blank=True)

    class Meta:
        ordering = ["-checked_on", "-id"]
        verbose_name = _("follow-up record check")
        verbose_name_plural = _("follow-up record checks")
        indexes = [
            models.Index(fields=["rep", "status", "checked_on"], name="qa_followup_rep"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(result__isnull=True) | Q(result__gte=0, result__lte=100),
                name="qa_followup_result_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(met__lte=models.F("applicable")), name="qa_followup_met_applicable"
            ),
            models.CheckConstraint(
                condition=~Q(rep=models.F("checker")), name="qa_followup_not_own"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checked_on} {self.rep_id}"


# The fixed checklist of a follow-up record check, in the order it is shown; each point is a
# field of FollowUpCheckItem.
FOLLOWUP_POINTS = (
    "outcome_recorded",
    "notes_meaningful",
    "next_step_set",
    "follow_up_on_time",
    "profile_current",
)


class FollowUpCheckItem(models.Model):
    """One customer's record in a check: each checklist point met, not met or not
    applicable ("" while the check is a draft), a note, and the record's facts as they were
    when the check was submitted."""

    class Mark(models.TextChoices):
        MET = "met", _("Met")
        NOT_MET = "not_met", _("Not met")
        NOT_APPLICABLE = "na", _("Not applicable")

    POINTS = FOLLOWUP_POINTS

    followup_check = models.ForeignKey(
        FollowUpCheck, verbose_name=_("check"), on_delete=models.CASCADE, related_name="items"
    )
    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="followup_check_items",
    )
    sampled = models.BooleanField(_("random sample"), default=False)
    outcome_recorded = models.CharField(
        _("Outcome recorded for the last contact"),
        max_length=8,
        choices=Mark.choices,
        blank=True,
    )
    notes_meaningful = models.CharField(
        _("Notes are meaningful"), max_length=8, choices=Mark.choices, blank=True
    )
    next_step_set = models.CharField(
        _("Next step and date set"), max_length=8, choices=Mark.choices, blank=True
    )
    follow_up_on_time = models.CharField(
        _("Follow-up done on time"), max_length=8, choices=Mark.choices, blank=True
    )
    profile_current = models.CharField(
        _("Tier and intent up to date"), max_length=8, choices=Mark.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    record = models.JSONField(_("record as checked"), default=dict, blank=True)

    class Meta:
        ordering = ["followup_check", "id"]
        verbose_name = _("follow-up check item")
        verbose_name_plural = _("follow-up check items")
        constraints = [
            models.UniqueConstraint(
                fields=["followup_check", "customer"], name="qa_followup_item_once"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{point}__in": ["", "met", "not_met", "na"]}),
                    name=f"qa_followup_{point}_mark",
                )
                for point in FOLLOWUP_POINTS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.followup_check_id}/{self.customer_id}"

    def marks(self) -> dict[str, str]:
        return {point: getattr(self, point) for point in self.POINTS}
