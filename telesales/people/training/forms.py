from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telesales.core.periods import Period, PeriodError, period_parse
from telesales.org.models import Employee, Team
from telesales.people.training.models import (
    Assessment,
    Attendance,
    Invitation,
    Topic,
    TrainingPlan,
    TrainingSession,
)
from telesales.people.training.services import score_check
from telesales.people.training.services.common import MAX_DURATION
from telesales.people.training.services.templates import MAX_WORKDAY

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class _TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class PeriodField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Period"))
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "help_text", _("2026-09 (a month), 2026-Q3, 2026, or 2026-09-01..2026-09-15")
        )
        kwargs.setdefault("widget", forms.TextInput(attrs={"size": 14}))
        super().__init__(**kwargs)

    def clean(self, value) -> Period | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            return period_parse(value)
        except PeriodError as error:
            raise ValidationError(str(error), code="period") from None


class PlanFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All plans")), *TrainingPlan.Kind.choices],
        required=False,
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class RecurringPlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    team = forms.ModelChoiceField(
        label=_("For"), queryset=Team.objects.none(), required=False, empty_label=None
    )
    frequency = forms.ChoiceField(label=_("Recurrence"), choices=TrainingPlan.Frequency.choices)
    weekday = forms.TypedChoiceField(
        label=_("Weekday"), choices=WEEKDAYS, coerce=int, required=False, empty_value=None
    )
    day_of_month = forms.IntegerField(
        label=_("Day of the month"),
        min_value=1,
        max_value=31,
        required=False,
        help_text=_("For a monthly plan; the month's last day when the month is shorter."),
    )
    start_time = forms.TimeField(label=_("Start time"), widget=_TimeInput())
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=MAX_DURATION, initial=60
    )
    start_date = forms.DateField(label=_("From"), widget=_DateInput())
    end_date = forms.DateField(label=_("Until"), widget=_DateInput())
    trainer = forms.ModelChoiceField(
        label=_("Trainer"), queryset=Employee.objects.none(), required=False
    )

    def __init__(self, *args, teams, trainers, company_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if company_wide:
            self.fields["team"].empty_label = _("The whole company")
        else:
            self.fields["team"].required = True
        self.fields["trainer"].queryset = trainers

    def clean(self):
        data = super().clean()
        if data.get("frequency") == TrainingPlan.Frequency.WEEKLY and data.get("weekday") is None:
            self.add_error("weekday", _("A weekly plan needs a weekday."))
        if (
            data.get("frequency") == TrainingPlan.Frequency.MONTHLY
            and data.get("day_of_month") is None
        ):
            self.add_error(
                "day_of_month", _("A monthly plan needs a day of the month from 1 to 31.")
            )
        return data


class OnboardingAssignForm(forms.Form):
    employee = forms.ModelChoiceField(label=_("Rep"), queryset=Employee.objects.none())
    start = forms.DateField(
        label=_("First day"),
        required=False,
        widget=_DateInput(),
        help_text=_("The working days are counted from here; empty: from the hire date."),
    )

    def __init__(self, *args, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = reps


class SessionMoveForm(forms.Form):
    to_status = forms.ChoiceField(choices=TrainingSession.Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SessionFilterForm(forms.Form):
    period = PeriodField(required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), *TrainingSession.Status.choices],
        required=False,
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    employee = forms.ModelChoiceField(
        label=_("Rep"), queryset=Employee.objects.none(), required=False, empty_label=_("Everyone")
    )

    def __init__(self, *args, teams, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["employee"].queryset = reps


class ResultFilterForm(SessionFilterForm):
    kind = forms.ChoiceField(label=_("Assessment"), choices=Assessment.Kind.choices)
    status = None


def _attendance_name(invitation: Invitation) -> str:
    return f"attendance_{invitation.employee_id}"


class AttendanceForm(forms.Form):
    """One choice per invitee."""

    def __init__(self, *args, invitations: list[Invitation], **kwargs):
        super().__init__(*args, **kwargs)
        self.invitations = invitations
        for invitation in invitations:
            self.fields[_attendance_name(invitation)] = forms.ChoiceField(
                label=invitation.employee.name,
                choices=[("", _("Not recorded")), *Attendance.choices],
                required=False,
                initial=invitation.attendance or Attendance.ATTENDED,
            )

    def rows(self) -> list[tuple[Invitation, forms.BoundField]]:
        return [(i, self[_attendance_name(i)]) for i in self.invitations]

    def attendance(self) -> dict[int, str]:
        return {i.employee_id: self.cleaned_data[_attendance_name(i)] for i in self.invitations}


class _ScoreField(forms.CharField):
    def __init__(self, *, who: str, **kwargs):
        self.who = who
        super().__init__(
            required=False,
            max_length=10,
            widget=forms.TextInput(attrs={"size": 5, "inputmode": "decimal"}),
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value)
        return score_check(value.strip().replace(",", "."), who=self.who)


class ScoresForm(forms.Form):
    """The assessment of a session: its kind and pass mark, and each attendee's scores."""

    kind = forms.ChoiceField(label=_("Assessment"), choices=Assessment.Kind.choices)
    pass_mark = forms.CharField(
        label=_("Pass mark"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"size": 5, "inputmode": "decimal"}),
    )

    def __init__(self, *args, invitations: list[Invitation], **kwargs):
        super().__init__(*args, **kwargs)
        self.invitations = [i for i in invitations if i.attendance == Attendance.ATTENDED]
        for invitation in self.invitations:
            name = invitation.employee.name
            result = getattr(invitation, "result", None)
            self.fields[f"pre_{invitation.employee_id}"] = _ScoreField(
                who=name,
                label=_("Score before"),
                initial="" if result is None or result.pre_score is None else result.pre_score,
            )
            self.fields[f"post_{invitation.employee_id}"] = _ScoreField(
                who=name, label=_("Score"), initial="" if result is None else result.score
            )

    def clean_pass_mark(self):
        return score_check(
            self.cleaned_data["pass_mark"].strip().replace(",", "."), who=str(_("Pass mark"))
        )

    def rows(self) -> list[tuple[Invitation, forms.BoundField, forms.BoundField]]:
        return [
            (i, self[f"pre_{i.employee_id}"], self[f"post_{i.employee_id}"])
            for i in self.invitations
        ]

    def entries(self) -> list[tuple[int, object, object]]:
        return [
            (
                i.employee_id,
                self.cleaned_data[f"pre_{i.employee_id}"],
                self.cleaned_data[f"post_{i.employee_id}"],
            )
            for i in self.invitations
        ]


class InviteForm(forms.Form):
    employees = forms.ModelMultipleChoiceField(
        label=_("Invite"), queryset=Employee.objects.none(), widget=forms.SelectMultiple
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employees"].queryset = candidates


class TemplateItemForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    workday = forms.IntegerField(
        label=_("Working day"),
        min_value=1,
        max_value=MAX_WORKDAY,
        widget=forms.NumberInput(attrs={"size": 3}),
    )
    start_time = forms.TimeField(label=_("Start time"), widget=_TimeInput())
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=1,
        max_value=MAX_DURATION,
        widget=forms.NumberInput(attrs={"size": 4}),
    )


TemplateItemFormSet = forms.formset_factory(TemplateItemForm, extra=2, can_delete=True)


class TemplateNameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


class OverviewForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), empty_label=None)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


def default_plan_dates() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return today, today + dt.timedelta(days=90)
