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
