"""The forms of the recruiting pages; they check the shape of the input, the services the
rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from telesales.org.models import Employee, Role, Team
from telesales.people.recruiting.models import (
    DEFAULT_POSITION,
    Criterion,
    InterviewRound,
    Opening,
    Recommendation,
    Source,
    Stage,
)
from telesales.people.recruiting.phones import phone_normalise
from telesales.people.recruiting.selectors import ACTIVE, CandidateFilter, OpeningFilter
from telesales.people.recruiting.services.openings import HIRE_ROLES, MAX_HEADCOUNT

DATE_INPUT = {"type": "date"}
DATETIME_INPUT = {"type": "datetime-local"}


class OpeningFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(ACTIVE, _("Open or on hold")), ("all", _("All")), *Opening.Status.choices],
        required=False,
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams

    def criteria(self) -> OpeningFilter:
        status = self.cleaned_data.get("status") or ACTIVE
        return OpeningFilter(
            status="" if status == "all" else status, team=self.cleaned_data.get("team")
        )


class OpeningForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    position = forms.CharField(label=_("Position"), max_length=100, initial=DEFAULT_POSITION)
    role = forms.ChoiceField(
        label=_("Role of the hire"),
        choices=[(r, label) for r, label in Role.choices if r in HIRE_ROLES],
        initial=Role.REP,
    )
    headcount = forms.IntegerField(
        label=_("Headcount"), min_value=1, max_value=MAX_HEADCOUNT, initial=1
    )
    opened_on = forms.DateField(
        label=_("Opened on"), widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d")
    )
    wanted_by = forms.DateField(
        label=_("Wanted by"),
        required=False,
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
    )
    hiring_manager = forms.ModelChoiceField(
        label=_("Hiring manager"),
        queryset=Employee.objects.none(),
        required=False,
        empty_label=_("— the team's supervisor —"),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner (HR)"),
        queryset=Employee.objects.none(),
        required=False,
        empty_label=_("— to be assigned by HR —"),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, teams, managers, owners, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["hiring_manager"].queryset = managers
        self.fields["owner"].queryset = owners
        if editing:  # an opening stays with its team and date
            del self.fields["team"]
            del self.fields["opened_on"]


class OpeningTransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=Opening.Status.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class CandidateFilterForm(forms.Form):
    opening = forms.ModelChoiceField(
        label=_("Opening"),
        queryset=Opening.objects.none(),
        required=False,
        empty_label=_("All openings"),
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[("", _("All stages")), (ACTIVE, _("In progress")), *Stage.choices],
        required=False,
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("All sources")), *Source.choices], required=False
    )
    q = forms.CharField(label=_("Name"), required=False, max_length=100)

    def __init__(self, *args, openings=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if openings is not None:
            self.fields["opening"].queryset = openings
        if teams is not None:
            self.fields["team"].queryset = teams

    def criteria(self) -> CandidateFilter:
        data = self.cleaned_data
        return CandidateFilter(
            opening=data.get("opening"),
            team=data.get("team"),
            stage=data.get("stage") or "",
            source=data.get("source") or "",
            search=data.get("q") or "",
        )


class CandidateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        help_text=_("A mobile number with its 11 digits, or a landline with its area code."),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    cv_notes = forms.CharField(
        label=_("CV notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_phone(self) -> str:
        try:
            return phone_normalise(self.cleaned_data["phone"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages[0], code="phone") from None


class CandidateMoveForm(forms.Form):
    to_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RoundForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InterviewRound.Kind.choices)
    interviewer = forms.ModelChoiceField(label=_("Interviewer"), queryset=Employee.objects.none())
    scheduled_at = forms.DateTimeField(
        label=_("Scheduled at"),
        widget=forms.DateTimeInput(attrs=DATETIME_INPUT, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, interviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = interviewers


SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


def rating_field_name(criterion: str) -> str:
    return f"rating_{criterion}"


class ScorecardForm(forms.Form):
    """One 1–5 rating per criterion, a recommendation and notes."""

    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=Recommendation.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ratings = {
            rating_field_name(criterion): forms.TypedChoiceField(
                label=label,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "scores"}),
                error_messages={"required": _("Rate this from 1 to 5.")},
            )
            for criterion, label in Criterion.choices
        }
        self.fields = {**ratings, **self.fields}

    def rating_fields(self):
        return [self[rating_field_name(c)] for c in Criterion.values]

    def ratings(self) -> dict[str, int]:
        return {c: self.cleaned_data[rating_field_name(c)] for c in Criterion.values}


class OfferForm(forms.Form):
    start_date = forms.DateField(
        label=_("Proposed start date"),
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Offer terms"),
        required=False,
        max_length=300,
        help_text=_("For example the salary and the probation period."),
    )


class DecisionForm(forms.Form):
    ACCEPT, DECLINE = "accept", "decline"
    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[(ACCEPT, _("Accepted the offer")), (DECLINE, _("Declined the offer"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class HireForm(forms.Form):
    employee_no = forms.CharField(label=_("Employee number"), max_length=40)
    hire_date = forms.DateField(
        label=_("Hire date"), widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d")
    )
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    pay_grade = forms.CharField(label=_("Pay grade"), max_length=20, required=False)
    base_bonus = forms.DecimalField(
        label=_("Base bonus"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
