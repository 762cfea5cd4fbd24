"""Forms of the motivation pages. They check shape (a number, a date, a choice); the rules
(no future dates, who may grant, morale 1–5) are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from telesales.core.periods import Period, PeriodError, period_parse
from telesales.org.models import Employee, Team
from telesales.people.morale.models import LedgerEntry

PERIOD_HELP = _("2026-09 (a month), 2026-Q3, 2026, or 2026-09-01..2026-09-15")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodFilterForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=40,
        help_text=PERIOD_HELP,
        widget=forms.TextInput(attrs={"size": 14}),
    )

    def clean_period(self) -> Period:
        try:
            return period_parse(self.cleaned_data["period"])
        except PeriodError as error:
            raise forms.ValidationError(str(error), code="period") from None


class LedgerFilterForm(PeriodFilterForm):
    employee = forms.ModelChoiceField(
        label=_("Employee"),
        queryset=Employee.objects.none(),
        required=False,
        empty_label=_("Everyone"),
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *LedgerEntry.Kind.choices],
        required=False,
    )

    def __init__(self, *args, employees, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = employees
        self.fields["team"].queryset = teams


class LedgerEntryForm(forms.Form):
    employee = forms.ModelChoiceField(label=_("Employee"), queryset=Employee.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=LedgerEntry.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    points = forms.IntegerField(
        label=_("Points"),
        required=False,
        min_value=0,
        help_text=_("Optional. A penalty's points are taken off."),
    )
    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Optional; rewards and penalties only."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, employees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = employees


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is reversed"),
        max_length=300,
        widget=forms.TextInput(attrs={"size": 40}),
    )


class TeamActivityForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"),
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cost = forms.DecimalField(
        label=_("Cost (CNY)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, teams, people, fixed_team: Team | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["participants"].queryset = people
        if fixed_team is not None:
            del self.fields["team"]


class CheckInForm(forms.Form):
    employee = forms.ModelChoiceField(label=_("Employee"), queryset=Employee.objects.none())
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    morale = forms.TypedChoiceField(
        label=_("Morale"),
        choices=[
            (5, _("5 — very good")),
            (4, _("4 — good")),
            (3, _("3 — so-so")),
            (2, _("2 — low")),
            (1, _("1 — very low")),
        ],
        coerce=int,
    )
    private_notes = forms.CharField(
        label=_("Private notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Read only by the employee's supervisor, the managers above and HR; never by the "
            "employee."
        ),
    )
    shared_summary = forms.CharField(
        label=_("Shared summary and agreed next steps"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The employee sees this."),
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["employee"]
        else:
            self.fields["employee"].queryset = people
