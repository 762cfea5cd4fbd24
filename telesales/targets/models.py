"""Target plans (source §2.1.1, §3.4.1): targets of the company, a team or a rep for a year,
quarter or month; the splits that decompose a parent target into its children; the company's
own working-day calendar; and the target agreements signed by both sides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from telesales.org.models import Employee, Team


class Metric(models.TextChoices):
    """The measures a target can be set for; each is a KPI of PRODUCT.md §5 (or, for
    key_product_amount, the numerator of key_product_attainment)."""

    SALES_AMOUNT = "sales_amount", _("Sales amount")
    KEY_PRODUCT_AMOUNT = "key_product_amount", _("Key-product sales amount")
    DEALS_WON = "deals_won", _("Deals won")
    CALL_VOLUME = "call_volume", _("Call volume")
    CONNECTED_CALLS = "connected_calls", _("Connected calls")
    EFFECTIVE_CALLS = "effective_calls", _("Effective calls")
    INTENT_CUSTOMERS = "intent_customers", _("Intent customers")


AMOUNT_METRICS = frozenset({Metric.SALES_AMOUNT, Metric.KEY_PRODUCT_AMOUNT})


class Method(models.TextChoices):
    EQUAL = "equal", _("Equal shares")
    HISTORY = "history", _("History-weighted")
    CAPACITY = "capacity", _("Capacity-weighted")
    MANUAL = "manual", _("Manual")
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported")


SPLIT_METHODS = (Method.EQUAL, Method.HISTORY, Method.CAPACITY)


class TargetSplit(models.Model):
    """One decomposition of a parent target into its children; a re-split (someone joins or
    leaves) makes a new one and keeps this one, superseded, with its children."""

    parent = models.ForeignKey(
        "Target", verbose_name=_("parent target"), on_delete=models.CASCADE, related_name="splits"
    )
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    based_on = models.CharField(
        _("adjusted from"), max_length=12, choices=Method.choices, blank=True
    )
    effective_from = models.DateField(_("effective from"))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("target split")
        verbose_name_plural = _("target splits")

    def __str__(self) -> str:
        return f"{self.parent} ← {self.get_method_display()}"


class Target(models.Model):
    """A target for one metric, scope (company, a team or an employee) and period. The
    active row of a scope, metric and period is the one not superseded; changes make a new
    row and keep the old one."""

    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    period = models.CharField(_("period"), max_length=10)
    start = models.DateField(_("from"))
    end = models.DateField(_("until (included)"))
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    # [{"from": "2026-08-15", "amount": "1234.00"}, …]: the value is phased in pieces, each
    # over the working days from its date to the next piece's (a re-split keeps the part
    # before the change where it was). Empty: one piece over the whole period.
    segments = models.JSONField(_("phasing segments"), default=list, blank=True)
    method = models.CharField(
        _("method"), max_length=12, choices=Method.choices, default=Method.ENTERED
    )
    split = models.ForeignKey(
        TargetSplit,
        verbose_name=_("split"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    basis = models.JSONField(_("basis"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["period", "metric", "id"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(employee__isnull=True),
                name="target_one_scope",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_not_negative"),
            models.UniqueConstraint(
                fields=["metric", "period", "employee"],
                condition=Q(superseded_at__isnull=True, employee__isnull=False),
                name="target_active_employee",
            ),
            models.UniqueConstraint(
                fields=["metric", "period", "team"],
                condition=Q(superseded_at__isnull=True, team__isnull=False),
                name="target_active_team",
            ),
            models.UniqueConstraint(
                fields=["metric", "period"],
                condition=Q(superseded_at__isnull=True, team__isnull=True, employee__isnull=True),
                name="target_active_company",
            ),
        ]
        indexes = [models.Index(fields=["metric", "start", "end"], name="target_metric_dates")]

    def __str__(self) -> str:
        return f"{self.scope_code} {self.period} {self.metric} {self.value}"

    @property
    def scope_code(self) -> str:
        """E001, team:T1 or company, as the command line writes scopes."""
        if self.employee_id:
            return self.employee.employee_no
        if self.team_id:
            return f"team:{self.team.code}"
        return "company"

    @property
    def is_active(self) -> bool:
        return self.superseded_at is None


class CalendarDay(models.Model):
    """The company's own exception to the China working-day calendar: an extra day off
    (company holiday) or an extra working day."""

    date = models.DateField(_("date"), unique=True)
    working = models.BooleanField(_("working day"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("company calendar day")
        verbose_name_plural = _("company calendar days")

    def __str__(self) -> str:
        return f"{self.date} {'+' if self.working else '−'}"


class Agreement(models.Model):
    """The target agreement of one person for one period (source §3.4.1): a rep's own
    targets, or the targets of the teams a supervisor leads; confirmed when both the person
    and their superior have signed; any change to those targets asks both again."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        EMPLOYEE_SIGNED = "employee_signed", _("Signed by the employee")
        SUPERIOR_SIGNED = "superior_signed", _("Signed by the superior")
        CONFIRMED = "confirmed", _("Confirmed")

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="agreements"
    )
    period = models.CharField(_("period"), max_length=10)
    start = models.DateField(_("from"))
    end = models.DateField(_("until (included)"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    employee_signed_at = models.DateTimeField(_("signed by the employee at"), null=True)
    employee_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by the employee"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    superior_signed_at = models.DateTimeField(_("signed by the superior at"), null=True)
    superior_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by the superior"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("targets changed at"), auto_now_add=True)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)

    class Meta:
        ordering = ["period", "employee"]
        verbose_name = _("target agreement")
        verbose_name_plural = _("target agreements")
        constraints = [
            models.UniqueConstraint(fields=["employee", "period"], name="agreement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.period} {self.get_status_display()}"
