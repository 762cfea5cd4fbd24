from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telesales.core.periods import Period, PeriodError, period_of, period_parse
from telesales.org.models import Employee
from telesales.people.workreports.schedule import LATE, MISSING, ON_TIME, RETURNED
from telesales.people.workreports.selectors import AWAITING_RATING, NOT_YET_DUE, RATED
from telesales.people.workreports.services import SECTION_MAX_LENGTH, SECTIONS


class ReportForm(forms.Form):
    """The five sections; which must be filled in is checked on submission by the service."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in SECTIONS:
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=SECTION_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 5}),
            )

    def sections(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name, _label in SECTIONS}


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for return"),
        max_length=SECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the report is returned.")},
    )


RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Quality (1–5)"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a rating from 1 to 5."),
            "invalid_choice": _("A quality rating is a whole number from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=SECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def period_field_clean(value: str) -> Period:
    if not value:
        return period_of(timezone.localdate(), "quarter")
    try:
        return period_parse(value)
    except PeriodError as error:
        raise ValidationError(str(error)) from error


class PeriodForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        required=False,
        max_length=30,
        help_text=_("Reports falling due in it: 2026-Q3, 2026-09 or 2026."),
    )

    def clean_period(self) -> Period:
        return period_field_clean(self.cleaned_data.get("period", ""))

    def chosen_period(self) -> Period:
        if self.is_valid():
            return self.cleaned_data["period"]
        return period_of(timezone.localdate(), "quarter")


STATUS_CHOICES = [
    ("", _("All")),
    (AWAITING_RATING, _("Awaiting rating")),
    (RATED, _("Rated")),
    (RETURNED, _("Returned for revision")),
    (ON_TIME, _("Submitted on time")),
    (LATE, _("Submitted late")),
    (MISSING, _("Missing")),
    (NOT_YET_DUE, _("Not yet due")),
]


class InboxFilterForm(PeriodForm):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    author = forms.ModelChoiceField(
        label=_("Supervisor"),
        queryset=Employee.objects.none(),
        required=False,
        empty_label=_("All supervisors"),
    )

    def __init__(self, *args, authors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if authors is not None:
            self.fields["author"].queryset = authors
