"""The forms of the development pages: they check the shape of the input; the services check
the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telesales.org.models import Department, Employee, Team
from telesales.people.development.models import (
    TARGET_ROLES,
    DevelopmentPlan,
    Readiness,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _EmployeeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        return f"{obj.employee_no} {obj.name}"


def _person_field(label, *, required: bool = True, message=None) -> _EmployeeChoice:
    return _EmployeeChoice(
        label=label,
        queryset=Employee.objects.none(),
        required=required,
        error_messages={
            "invalid_choice": message
            or _("This person is not in your charge; choose someone from the list.")
        },
    )


class _PeriodMixin:
    """End on or after start, for forms with `start` and an optional or required `end`."""

    end_message = _("The end cannot be before the start.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", self.end_message)
        return cleaned


class PlanForm(_PeriodMixin, forms.Form):
    employee = _person_field(_("Employee"))
    title = forms.CharField(label=_("Title"), max_length=200)
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("Until"), widget=DATE)
    summary = forms.CharField(
        label=_("Focus"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What this plan develops, e.g. objection handling or leading a small group."),
    )
    end_message = _("The end of the period cannot be before its start.")

    def __init__(self, *args, people=None, fixed_employee: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["employee"].queryset = people
        if fixed_employee:
            del self.fields["employee"]


class PlanTransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=DevelopmentPlan.Status.choices, widget=forms.HiddenInput)


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=200)
    measure = forms.CharField(
        label=_("How it is measured"),
        max_length=300,
        help_text=_("e.g. QA score ≥ 85 on three listened calls in a row"),
    )
    due_on = forms.DateField(label=_("Due"), widget=DATE)


class GoalEditForm(GoalForm):
    dropped = forms.BooleanField(
        label=_("Dropped"),
        required=False,
        help_text=_("A dropped goal no longer counts in the plan's progress."),
    )


class ProgressForm(forms.Form):
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": _("Progress is a whole number from 0 to 100."),
            "max_value": _("Progress is a whole number from 0 to 100."),
            "invalid": _("Progress is a whole number from 0 to 100."),
        },
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class MentorshipForm(_PeriodMixin, forms.Form):
    mentee = _person_field(_("Mentee"))
    mentor = _person_field(
        _("Mentor"), message=_("This person cannot be named as a mentor by you.")
    )
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("Until (included)"), widget=DATE, required=False)
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    end_message = _("The end of the mentorship cannot be before its start.")

    def __init__(self, *args, mentees=None, mentors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if mentees is not None:
            self.fields["mentee"].queryset = mentees
        if mentors is not None:
            self.fields["mentor"].queryset = mentors

    def clean(self):
        cleaned = super().clean()
        mentor, mentee = cleaned.get("mentor"), cleaned.get("mentee")
        if mentor and mentee and mentor.pk == mentee.pk:
            self.add_error("mentor", _("A person cannot be their own mentor."))
        return cleaned


class MentorshipEndForm(forms.Form):
    end = forms.DateField(label=_("Last day"), widget=DATE)
    note = forms.CharField(label=_("Closing note"), required=False, max_length=300)


class RotationForm(_PeriodMixin, forms.Form):
    employee = _person_field(_("Employee"))
    to_team = forms.ModelChoiceField(
        label=_("To team"), queryset=Team.objects.none(), required=False
    )
    to_department = forms.ModelChoiceField(
        label=_("To department"), queryset=Department.objects.none(), required=False
    )
    to_position = forms.CharField(label=_("To position"), max_length=100, required=False)
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("Until (included)"), widget=DATE, required=False)
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome = forms.CharField(
        label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    end_message = _("The end of the rotation cannot be before its start.")

    def __init__(self, *args, people=None, fixed_employee: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["employee"].queryset = people
        if fixed_employee:
            del self.fields["employee"]
        self.fields["to_team"].queryset = Team.objects.filter(is_active=True).order_by("code")
        self.fields["to_department"].queryset = Department.objects.order_by("code")

    def clean(self):
        cleaned = super().clean()
        if not (
            cleaned.get("to_team")
            or cleaned.get("to_department")
            or (cleaned.get("to_position") or "").strip()
        ):
            self.add_error(
                None, _("Say where the rotation goes: a team, a department or a position.")
            )
        return cleaned


class _AssessmentFields(forms.Form):
    readiness = forms.ChoiceField(label=_("Readiness"), choices=Readiness.choices)
    strengths = forms.CharField(
        label=_("Strengths"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    gaps = forms.CharField(
        label=_("Gaps"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An assessment cannot be dated in the future."))
        return day


class NominationForm(_AssessmentFields):
    employee = _person_field(_("Nominee"))
    target_role = forms.ChoiceField(label=_("Target role"), choices=TARGET_ROLES)

    field_order = ["employee", "target_role", "readiness", "strengths", "gaps", "assessed_on"]

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["employee"].queryset = people


class ReassessForm(_AssessmentFields):
    pass


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class TeamFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams


class BenchFilterForm(TeamFilterForm):
    readiness = forms.ChoiceField(
        label=_("Readiness"),
        choices=[("", _("Any readiness")), *Readiness.choices],
        required=False,
    )
