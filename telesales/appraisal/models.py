"""Appraisal schemes as stored rows (PRODUCT.md §6, §7 "schemes"). `schemes.py` turns them into
and from `spec.Scheme` and YAML; the scoring engine only ever sees the spec."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telesales.core.models import TimeStampedModel
from telesales.org.models import Employee, Role


class AppliesTo(models.TextChoices):
    """The roles a scheme may appraise (PRODUCT.md §2)."""

    REP = Role.REP.value, Role.REP.label
    SUPERVISOR = Role.SUPERVISOR.value, Role.SUPERVISOR.label


class Curve(models.TextChoices):
    """How an actual becomes a 0–cap score (PRODUCT.md §6.1)."""

    LINEAR = "linear", _("Linear")
    LINEAR_LOWER = "linear_lower", _("Linear, lower is better")
    BANDS = "bands", _("Bands")
    RATING = "rating", _("Rating")
    IDENTITY = "identity", _("Identity")


class WhenMissing(models.TextChoices):
    """What an inapplicable KPI scores (PRODUCT.md §6.3)."""

    REDISTRIBUTE = "redistribute", _("Share its weight")
    ZERO = "zero", _("Score 0")
    FULL = "full", _("Score 100")


class BandsOn(models.TextChoices):
    RATIO = "ratio", _("Ratio to target")
    ACTUAL = "actual", _("Actual value")


class Scheme(TimeStampedModel):
    """One appraisal scheme; importing a scheme of the same code replaces its contents and keeps
    the row, so that appraisals that name it keep pointing at it."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    applies_to = models.CharField(_("applies to"), max_length=20, choices=AppliesTo.choices)
    grades = models.JSONField(_("grades"), default=dict)  # {"S": "95", ...}, highest first
    version = models.PositiveIntegerField(_("version"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("appraisal scheme")
        verbose_name_plural = _("appraisal schemes")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Category(models.Model):
    """A weighted group of KPIs; a scheme's category weights sum to 100."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="categories", verbose_name=_("scheme")
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=4)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["scheme", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"], name="appraisal_category_code_unique"
            )
        ]
        verbose_name = _("scheme category")
        verbose_name_plural = _("scheme categories")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class SchemeKpi(models.Model):
    """One KPI line of a category: weight, target and score curve (PRODUCT.md §6.1)."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("category")
    )
    kpi = models.CharField(_("KPI"), max_length=50)
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=4)
    curve = models.CharField(_("curve"), max_length=20, choices=Curve.choices, default=Curve.LINEAR)
    target = models.DecimalField(
        _("target"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    cap = models.DecimalField(_("cap"), max_digits=9, decimal_places=4, default=120)
    floor = models.DecimalField(_("floor"), max_digits=9, decimal_places=4, default=0)
    bands = models.JSONField(_("bands"), default=list, blank=True)  # [{"min": "1", "score": "100"}]
    bands_on = models.CharField(
        _("bands on"), max_length=10, choices=BandsOn.choices, default=BandsOn.RATIO
    )
    when_missing = models.CharField(
        _("when not applicable"),
        max_length=20,
        choices=WhenMissing.choices,
        default=WhenMissing.REDISTRIBUTE,
    )
    rater_groups = models.JSONField(_("rater groups"), default=dict, blank=True)
    dimensions = models.JSONField(_("dimensions"), default=list, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["category", "order"]
        verbose_name = _("scheme KPI")
        verbose_name_plural = _("scheme KPIs")

    def __str__(self) -> str:
        return self.kpi


# --- cycles and appraisals (PRODUCT.md §6.4, §6.6) ---------------------------------------------


class CycleKind(models.TextChoices):
    """How long a cycle's period is: monthly tracking, the quarterly appraisal, the year."""

    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class AppraisalStatus(models.TextChoices):
    """The steps of one appraisal (PRODUCT.md §6.6); `workflow.MOVES` lists the allowed moves."""

    DRAFT = "draft", _("Draft")
    AGREED = "agreed", _("Targets agreed")
    IN_PROGRESS = "in_progress", _("In progress")
    RATING = "rating", _("Being rated")
    CALIBRATION = "calibration", _("In calibration")
    PUBLISHED = "published", _("Published")
    INTERVIEWED = "interviewed", _("Interviewed")
    APPEALED = "appealed", _("Appealed")
    CLOSED = "closed", _("Closed")


class Cycle(models.Model):
    """One scheme applied to one period; opened once (`cycles.appraisal_open`)."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("scheme")
    )
    period = models.CharField(_("period"), max_length=20)  # 2026-Q3, 2026-09, 2026
    kind = models.CharField(_("kind"), max_length=10, choices=CycleKind.choices)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("cycle opened at"), default=timezone.now)

    class Meta:
        ordering = ["-period", "scheme__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "period"], name="appraisal_cycle_scheme_period_unique"
            )
        ]
        verbose_name = _("appraisal cycle")
        verbose_name_plural = _("appraisal cycles")

    def __str__(self) -> str:
        return f"{self.period} · {self.scheme.code}"


class Appraisal(models.Model):
    """One person's appraisal in a cycle; the rater is their superior on the manager line.
    Its status changes only through `workflow.appraisal_transition`."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="appraisals", verbose_name=_("cycle")
    )
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="appraisals", verbose_name=_("appraisee")
    )
    rater = models.ForeignKey(
        Employee,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appraisals_to_rate",
        verbose_name=_("rater"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AppraisalStatus.choices,
        default=AppraisalStatus.DRAFT,
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated = models.DateTimeField(_("updated"), default=timezone.now)
    # The target agreement (PRODUCT.md §6.6 draft → agreed): each side confirms the scheme's
    # targets and standards; the appraisal is agreed once both have.
    appraisee_agreed_at = models.DateTimeField(_("appraisee confirmed at"), null=True, blank=True)
    rater_agreed_at = models.DateTimeField(_("rater confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["cycle", "employee__employee_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "employee"], name="appraisal_cycle_employee_unique"
            )
        ]
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")

    def __str__(self) -> str:
        return f"{self.cycle_id} · {self.employee_id}"


class AppraisalEvent(models.Model):
    """One move of an appraisal's status, kept for ever: who, when, from, to and why."""

    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="events", verbose_name=_("appraisal")
    )
    from_status = models.CharField(_("from status"), max_length=20, choices=AppraisalStatus.choices)
    to_status = models.CharField(_("to status"), max_length=20, choices=AppraisalStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["appraisal", "at", "pk"]
        verbose_name = _("appraisal event")
        verbose_name_plural = _("appraisal events")

    def __str__(self) -> str:
        return f"{self.appraisal_id}: {self.from_status} → {self.to_status}"


# --- the appraisal's record: notes, 360 ratings, snapshots, calibration, interview, appeal,
# improvement plan and the use of results (PRODUCT.md §5 rated KPIs, §6.5, §6.6) ------------


class FeedbackNote(models.Model):
    """A note written during the period (§6.6 in_progress): what went well, what to improve.
    The appraisee sees the notes marked shared; the rater's line and HR see all."""

    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="notes", verbose_name=_("appraisal")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("note"))
    shared = models.BooleanField(_("shown to the appraisee"), default=True)
    at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        ordering = ["appraisal", "-at", "-pk"]
        verbose_name = _("feedback note")
        verbose_name_plural = _("feedback notes")

    def __str__(self) -> str:
        return f"{self.appraisal_id} · {self.at:%Y-%m-%d}"


class RaterGroup(models.TextChoices):
    """Who rates a rated KPI (PRODUCT.md §5)."""

    SUPERIOR = "superior", _("Superior")
    PEER = "peer", _("Peer")
    SUBORDINATE = "subordinate", _("Subordinate")
    DEPARTMENT = "department", _("Other department")
    SELF = "self", _("Self")


class RatingRequest(models.Model):
    """One rater asked to rate one appraisal as one rater group; it sits in the rater's inbox
    until submitted. Reminders are counted and dated."""

    appraisal = models.ForeignKey(
        Appraisal,
        on_delete=models.CASCADE,
        related_name="rating_requests",
        verbose_name=_("appraisal"),
    )
    rater = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="rating_requests", verbose_name=_("rater")
    )
    group = models.CharField(_("rater group"), max_length=20, choices=RaterGroup.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    reminders = models.PositiveIntegerField(_("reminders sent"), default=0)
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["appraisal", "group", "rater__employee_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "rater", "group"], name="appraisal_rating_request_unique"
            )
        ]
        verbose_name = _("rating request")
        verbose_name_plural = _("rating requests")

    def __str__(self) -> str:
        return f"{self.appraisal_id} · {self.group} · {self.rater_id}"


class Rating(models.Model):
    """One rater's 1–5 rating of one rated KPI (or one dimension of it) of an appraisal. Its
    rater is never shown to the appraisee (PRODUCT.md §5)."""

    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("appraisal")
    )
    rater = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="ratings_given", verbose_name=_("rater")
    )
    group = models.CharField(_("rater group"), max_length=20, choices=RaterGroup.choices)
    kpi = models.CharField(_("KPI"), max_length=50)
    dimension = models.CharField(_("dimension"), max_length=50, blank=True)
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(_("source"), max_length=10, default="inbox")  # inbox or import
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        ordering = ["appraisal", "kpi", "dimension", "group", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "rater", "group", "kpi", "dimension"],
                name="appraisal_rating_unique",
            )
        ]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.appraisal_id} · {self.kpi} · {self.score}"


class SnapshotKind(models.TextChoices):
    PUBLISHED = "published", _("Published")
    APPEAL_UPHELD = "appeal_upheld", _("Appeal upheld")
    APPEAL_REVISED = "appeal_revised", _("Revised on appeal")


class Snapshot(models.Model):
    """The frozen result of an appraisal (§6.6 published): every input and score as they were,
    never changed afterwards; a revision on appeal or a republication after an HR reopening
    adds a new version, so that every version is kept."""

    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("appraisal")
    )
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=20, choices=SnapshotKind.choices)
    data = models.JSONField(_("result"))  # the §8 shape plus inputs, ratings and adjustment
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2, null=True)
    grade = models.CharField(_("grade"), max_length=5, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        ordering = ["appraisal", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "version"], name="appraisal_snapshot_version_unique"
            )
        ]
        verbose_name = _("result snapshot")
        verbose_name_plural = _("result snapshots")

    def __str__(self) -> str:
        return f"{self.appraisal_id} v{self.version} {self.grade}"


class Adjustment(models.Model):
    """A calibration change of an appraisal's grade (and total, when given), with its reason;
    the latest one counts at publication. Kept for ever."""

    appraisal = models.ForeignKey(
        Appraisal,
        on_delete=models.CASCADE,
        related_name="adjustments",
        verbose_name=_("appraisal"),
    )
    from_total = models.DecimalField(_("total before"), max_digits=7, decimal_places=2, null=True)
    from_grade = models.CharField(_("grade before"), max_length=5, blank=True)
    to_total = models.DecimalField(
        _("total after"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    to_grade = models.CharField(_("grade after"), max_length=5)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("adjusted by"),
    )
    at = models.DateTimeField(_("adjusted at"), default=timezone.now)

    class Meta:
        ordering = ["appraisal", "-at", "-pk"]
        verbose_name = _("calibration adjustment")
        verbose_name_plural = _("calibration adjustments")

    def __str__(self) -> str:
        return f"{self.appraisal_id}: {self.from_grade} → {self.to_grade}"


class Interview(models.Model):
    """The result interview (§6.6 interviewed): recorded by the rater, acknowledged by the
    appraisee, who may add a comment."""

    appraisal = models.OneToOneField(
        Appraisal, on_delete=models.CASCADE, related_name="interview", verbose_name=_("appraisal")
    )
    held_on = models.DateField(_("held on"))
    notes = models.TextField(_("interview notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    appraisee_comment = models.TextField(_("appraisee's comment"), blank=True)

    class Meta:
        verbose_name = _("result interview")
        verbose_name_plural = _("result interviews")

    def __str__(self) -> str:
        return f"{self.appraisal_id} · {self.held_on}"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    REVISED = "revised", _("Revised")


class Appeal(models.Model):
    """An appraisee's appeal of a published result and its decision (§6.6 appealed): by
    someone who is neither appraisee nor rater, upheld or revised, with the reason; the
    result before and after are snapshots, so every version is kept."""

    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("appraisal")
    )
    reason = models.TextField(_("grounds of the appeal"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=AppealOutcome.choices, blank=True
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    snapshot_before = models.ForeignKey(
        Snapshot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("result appealed"),
    )
    snapshot_after = models.ForeignKey(
        Snapshot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("result after the decision"),
    )

    class Meta:
        ordering = ["appraisal", "-filed_at", "-pk"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.appraisal_id} · {self.outcome or 'open'}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ImprovementAction(models.Model):
    """One action of the personal improvement plan (§6.5 training, §6.6 closed): owner and due
    date; an open action is carried into the appraisee's next cycle (`carried_from`)."""

    appraisal = models.ForeignKey(
        Appraisal,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("appraisal"),
    )
    kpi = models.CharField(_("KPI"), max_length=50, blank=True)
    text = models.TextField(_("action"))
    owner = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="improvement_actions",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, default="manual")  # manual or rule
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("carried from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["appraisal", "due_on", "pk"]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")

    def __str__(self) -> str:
        return self.text[:60]


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ResultDecision(models.Model):
    """HR's decision on one recommendation of the use of results (§6.5): a pay-grade step, a
    promotion priority or a position review for one person and period. The recommendation
    itself is computed (`results.py`); only HR's decision is stored."""

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="result_decisions",
        verbose_name=_("employee"),
    )
    period = models.CharField(_("period"), max_length=20)
    rule = models.CharField(_("rule"), max_length=20)  # bonus, pay, promotion, position_review
    recommendation = models.JSONField(_("recommendation"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED
    )
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-period", "employee__employee_no", "rule"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "period", "rule"], name="appraisal_result_decision_unique"
            )
        ]
        verbose_name = _("result decision")
        verbose_name_plural = _("result decisions")

    def __str__(self) -> str:
        return f"{self.employee_id} · {self.period} · {self.rule}"
