"""Forms of the target-plan pages: they check the shape of the input; the rules (who may set
what, exact sums, whole units) are in telesales.targets.selectors and services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from telesales.core.periods import PeriodError, period_of
from telesales.org.models import Employee, Team
from telesales.targets.arithmetic import SplitError
from telesales.targets.decomposition import DEFAULT_HISTORY_MONTHS, Share, period_bounds
from telesales.targets.models import SPLIT_METHODS, Agreement, Metric
from telesales.targets.phasing import quantum_for

DATE_INPUT = {"type": "date"}
MAX_DIGITS = 16
COMPANY = "company"


def current_quarter(today: dt.date) -> str:
    return period_of(today, "quarter").code


def _period_code(text: str) -> str:
    """A target's period as its code; a translated error for anything but a year, quarter or
    month."""
    try:
        return period_bounds(text)[0]
    except (PeriodError, SplitError) as exc:
        raise forms.ValidationError(str(exc)) from exc


def scope_value(*, team: Team | None = None, employee: Employee | None = None) -> str:
    """company, team:<id> or rep:<id>: how a scope travels in a form."""
    if employee is not None:
        return f"rep:{employee.pk}"
    if team is not None:
        return f"team:{team.pk}"
    return COMPANY


def scope_parse(value: str) -> tuple[str, int | None]:
    """("company", None), ("team", id) or ("rep", id); ValueError for anything else."""
    if value == COMPANY:
        return COMPANY, None
    kind, _sep, pk = (value or "").partition(":")
    if kind not in {"team", "rep"} or not pk.isdigit():
        raise ValueError(value)
    return kind, int(pk)


class _PeriodTeamFilterForm(forms.Form):
    """A target period and, among the teams the user sees, optionally one team."""

    period = forms.CharField(
        label=_("Period"),
        max_length=10,
        widget=forms.TextInput(attrs={"size": 8, "placeholder": "2026-Q3"}),
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams

    def clean_period(self) -> str:
        return _period_code(self.cleaned_data["period"])


class TargetFilterForm(_PeriodTeamFilterForm):
    field_order = ["period", "metric", "team"]

    metric = forms.ChoiceField(
        label=_("Metric"), choices=[("", _("All metrics")), *Metric.choices], required=False
    )


class AgreementFilterForm(_PeriodTeamFilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Agreement.Status.choices],
        required=False,
    )


class TargetSetForm(forms.Form):
    """Set one target. `scopes` are the choices the user may set, made by the view from
    selectors.can_set_target."""

    scope = forms.ChoiceField(label=_("For"))
    period = forms.CharField(
        label=_("Period"),
        max_length=10,
        help_text=_("A year, a quarter or a month, e.g. 2026, 2026-Q3 or 2026-07."),
        widget=forms.TextInput(attrs={"size": 8}),
    )
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices)
    value = forms.DecimalField(
        label=_("Target"),
        max_digits=MAX_DIGITS,
        decimal_places=2,
        help_text=_("Amounts in yuan to the cent; calls, deals and customers in whole numbers."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 14}),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, scopes: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scopes

    def clean_period(self) -> str:
        return _period_code(self.cleaned_data["period"])


class SplitChooseForm(forms.Form):
    """Step 1 of the split: the method and, for a re-split, the day it takes effect."""

    method = forms.ChoiceField(
        label=_("Method"),
        choices=[(m.value, m.label) for m in SPLIT_METHODS],
        widget=forms.RadioSelect,
    )
    history_months = forms.IntegerField(
        label=_("History: months before the period"),
        min_value=1,
        max_value=24,
        initial=DEFAULT_HISTORY_MONTHS,
        required=False,
        widget=forms.NumberInput(attrs={"size": 4}),
    )
    effective_from = forms.DateField(
        label=_("Re-split from"),
        required=False,
        help_text=_(
            "Each person keeps what was planned for them before this day; the rest of the "
            "target is split among those present from this day."
        ),
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
    )

    def __init__(self, *args, start: dt.date, end: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.start, self.end = start, end

    def clean_history_months(self) -> int:
        return self.cleaned_data.get("history_months") or DEFAULT_HISTORY_MONTHS

    def clean_effective_from(self) -> dt.date | None:
        day = self.cleaned_data.get("effective_from")
        if day is not None and not self.start <= day <= self.end:
            raise forms.ValidationError(
                _("Choose a day from %(start)s to %(end)s.")
                % {"start": self.start, "end": self.end}
            )
        return day

    def query(self) -> dict:
        """The choice, as the query string and the hidden fields of the later steps carry it."""
        data = self.cleaned_data
        return {
            "method": data["method"],
            "history_months": data["history_months"],
            "effective_from": data["effective_from"].isoformat() if data["effective_from"] else "",
        }


def share_field_name(code: str) -> str:
    return f"share-{code}"


class SplitAmountsForm(forms.Form):
    """Step 2 of the split: each share as computed, editable by hand. Only children who carry
    a part of what is split get a field; those who left keep what they had."""

    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, shares: tuple[Share, ...], metric: str, **kwargs):
        super().__init__(*args, **kwargs)
        step = quantum_for(metric)
        self.editable = [s for s in shares if not s.basis.get("left")]
        for share in self.editable:
            self.fields[share_field_name(share.code)] = forms.DecimalField(
                label=share.label,
                max_digits=MAX_DIGITS,
                initial=share.share,
                widget=forms.NumberInput(attrs={"step": str(step), "size": 12}),
            )

    def values(self) -> dict[str, Decimal]:
        return {s.code: self.cleaned_data[share_field_name(s.code)] for s in self.editable}

    def entered(self) -> dict[str, Decimal | None]:
        """What was typed, read leniently for the running sum (None where it is no number)."""
        values: dict[str, Decimal | None] = {}
        for share in self.editable:
            raw = self[share_field_name(share.code)].value()
            try:
                values[share.code] = Decimal(str(raw).strip()) if raw not in (None, "") else None
            except ArithmeticError:
                values[share.code] = None
        return values


class AgreementSignForm(forms.Form):
    SIDES = [("employee", _("as the employee")), ("superior", _("as the superior"))]

    side = forms.ChoiceField(choices=SIDES, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class CalendarDayForm(forms.Form):
    KINDS = [
        ("off", _("Company day off")),
        ("working", _("Extra working day")),
        ("clear", _("Back to the China calendar")),
    ]

    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(label=_("Make it"), choices=KINDS, initial="off")
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def working(self) -> bool | None:
        return {"off": False, "working": True, "clear": None}[self.cleaned_data["kind"]]
