"""Appraisal schemes as stored rows (PRODUCT.md §6, §7 "schemes"). `schemes.py` turns them into
and from `spec.Scheme` and YAML; the scoring engine only ever sees the spec."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from telesales.core.models import TimeStampedModel
from telesales.org.models import Role


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
