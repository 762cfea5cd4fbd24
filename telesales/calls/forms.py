import datetime as dt
import zoneinfo

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from telesales.calls import layouts
from telesales.calls.models import ColumnMapping, Direction
from telesales.calls.selectors import CallFilter
from telesales.core.periods import Period, PeriodError, period_parse
from telesales.org.models import Employee, Team

MAX_TALK_SECONDS = 24 * 3600
DATE_INPUT = {"type": "date"}


def _date_field(label, *, required=False, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
    )


class CallFilterForm(forms.Form):
    ANSWERED_CHOICES = [("", _("Any")), ("yes", _("Answered")), ("no", _("Not answered"))]

    date_from = _date_field(_("From"))
    date_to = _date_field(_("To"))
    rep = forms.ModelChoiceField(
        label=_("Rep"), queryset=Employee.objects.none(), required=False, empty_label=_("Everyone")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[("", _("All directions")), *Direction.choices],
        required=False,
    )
    disposition = forms.CharField(
        label=_("Disposition"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"list": "dispositions", "size": 12}),
    )
    answered = forms.ChoiceField(label=_("Answered"), choices=ANSWERED_CHOICES, required=False)
    talk_min = forms.IntegerField(
        label=_("Talk time from (s)"),
        min_value=0,
        max_value=MAX_TALK_SECONDS,
        required=False,
        widget=forms.NumberInput(attrs={"size": 6}),
    )
    talk_max = forms.IntegerField(
        label=_("Talk time to (s)"),
        min_value=0,
        max_value=MAX_TALK_SECONDS,
        required=False,
        widget=forms.NumberInput(attrs={"size": 6}),
    )
    extension = forms.CharField(
        label=_("Extension"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"size": 8}),
    )

    def __init__(self, *args, employees=None, teams=None, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if employees is not None:
            self.fields["rep"].queryset = employees
        if teams is not None:
            self.fields["team"].queryset = teams

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        low, high = data.get("talk_min"), data.get("talk_max")
        if low is not None and high is not None and low > high:
            self.add_error("talk_max", _("The longest talk time is shorter than the shortest."))
        return data

    def criteria(self) -> CallFilter:
        data = self.cleaned_data
        answered = {"yes": True, "no": False}.get(data.get("answered") or "")
        return CallFilter(
            date_from=data.get("date_from") or self.today - dt.timedelta(days=6),
            date_to=data.get("date_to") or self.today,
            employee=data.get("rep"),
            team=data.get("team"),
            direction=data.get("direction") or "",
            disposition=data.get("disposition") or "",
            answered=answered,
            talk_min=data.get("talk_min"),
            talk_max=data.get("talk_max"),
            extension=data.get("extension") or "",
        )


class PeriodForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=40,
        help_text=_("2026-09 (a month), 2026-Q3, 2026, or 2026-09-01..2026-09-15"),
        widget=forms.TextInput(attrs={"size": 14}),
    )

    MAX_DAYS = 5 * 366  # a day a point in the trend: keep pages small

    def clean_period(self) -> Period:
        try:
            period = period_parse(self.cleaned_data["period"])
        except PeriodError as error:
            raise forms.ValidationError(str(error), code="period") from None
        if period.days > self.MAX_DAYS:
            raise forms.ValidationError(
                _("Choose a period of at most five years."), code="period_length"
            )
        return period


class ExtensionMapForm(forms.Form):
    """Map an unknown extension to an employee from a date (data-quality page)."""

    number = forms.CharField(widget=forms.HiddenInput, max_length=40)
    employee_no = forms.CharField(
        label=_("Employee number"),
        max_length=40,
        widget=forms.TextInput(attrs={"list": "employee-numbers", "size": 10}),
    )
    valid_from = _date_field(_("From"), required=True)
    valid_to = _date_field(_("Until (optional)"))

    def clean_employee_no(self) -> Employee:
        number = self.cleaned_data["employee_no"].strip().split(" ")[0]
        employee = Employee.objects.filter(employee_no=number).first()
        if employee is None:
            raise forms.ValidationError(
                _("There is no employee with the number %(no)s."), params={"no": number}
            )
        return employee

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end <= start:
            self.add_error("valid_to", _("The end date must be after the start date."))
        return data


class ColumnMappingForm(forms.Form):
    """A saved mapping: for each field of a call, the header of the column that holds it."""

    name = forms.CharField(label=_("Name"), max_length=80)
    system = forms.CharField(
        label=_("Phone system"),
        max_length=20,
        initial="generic",
        help_text=_("Calls of the same phone system share call ids; re-imports match on them."),
    )
    date_order = forms.ChoiceField(
        label=_("Date order"),
        choices=ColumnMapping.DateOrder.choices,
        initial=ColumnMapping.DateOrder.AUTO,
        help_text=_("How to read dates such as 1/7/2026."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in layouts.FIELDS:
            self.fields[f"col_{name}"] = forms.CharField(
                label=layouts.FIELD_LABELS[name],
                max_length=120,
                required=name in layouts.REQUIRED_FIELDS,
                widget=forms.TextInput(attrs={"list": "sample-headers"}),
            )

    def column_fields(self):
        return [self[f"col_{name}"] for name in layouts.FIELDS]

    def columns(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(f"col_{name}", "").strip()
            for name in layouts.FIELDS
            if self.cleaned_data.get(f"col_{name}", "").strip()
        }

    def clean(self):
        data = super().clean()
        seen: dict[str, str] = {}
        for name in layouts.FIELDS:
            header = (data.get(f"col_{name}") or "").strip()
            if not header:
                continue
            key = header.lower()
            if key in seen:
                self.add_error(
                    f"col_{name}",
                    forms.ValidationError(
                        _("The column “%(header)s” is already given for %(field)s."),
                        params={"header": header, "field": layouts.FIELD_LABELS[seen[key]]},
                    ),
                )
            else:
                seen[key] = name
        return data

    @staticmethod
    def initial_for(mapping: ColumnMapping) -> dict:
        initial = {"name": mapping.name, "system": mapping.system, "date_order": mapping.date_order}
        initial.update({f"col_{k}": v for k, v in mapping.columns.items()})
        return initial


class SampleFileForm(forms.Form):
    sample = forms.FileField(
        label=_("Sample file"),
        help_text=_("A CSV or Excel export with a header row; only its first row is read."),
    )


class CallImportOptionsForm(forms.Form):
    """Options of a calls import (the upload page shows them under the file)."""

    LAYOUT_LABELS = {
        "asterisk-csv": _("Asterisk cdr_csv (Master.csv)"),
        "asterisk-custom": _("Asterisk cdr_custom, default mapping"),
        "freeswitch-default": _("FreeSWITCH mod_cdr_csv, default template"),
        "freeswitch-example": _("FreeSWITCH mod_cdr_csv, example template"),
        "freepbx": _("FreePBX CDR Reports export"),
        "generic": _("Generic export with a header"),
    }

    format = forms.ChoiceField(label=_("Layout"), required=False, initial="auto")
    mapping = forms.ChoiceField(label=_("Saved column mapping"), required=False)
    tz = forms.CharField(
        label=_("Time zone of the file"),
        max_length=64,
        required=False,
        help_text=_("A name such as Asia/Shanghai; empty means the company's time zone."),
    )
    date_order = forms.ChoiceField(
        label=_("Date order"),
        choices=ColumnMapping.DateOrder.choices,
        required=False,
        initial=ColumnMapping.DateOrder.AUTO,
        help_text=_("How to read dates such as 1/7/2026."),
    )
    system = forms.CharField(
        label=_("Phone system name"),
        max_length=20,
        required=False,
        help_text=_("Optional; calls of the same phone system share call ids."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [
            ("auto", _("Detect from the file")),
            *((key, self.LAYOUT_LABELS.get(key, key)) for key in layouts.NAMED_LAYOUTS),
        ]
        self.fields["mapping"].choices = [
            ("", _("None")),
            *((name, name) for name in ColumnMapping.objects.values_list("name", flat=True)),
        ]
        self.fields["mapping"].help_text = format_html(
            '{} <a href="{}">{}</a>',
            _("For an export with its own column names."),
            reverse("call-mappings"),
            _("Column mappings"),
        )
        self.fields["tz"].widget.attrs["placeholder"] = settings.TIME_ZONE

    def clean_tz(self) -> str:
        name = (self.cleaned_data.get("tz") or "").strip()
        if not name:
            return ""
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                _("“%(tz)s” is not a time zone; use a name such as Asia/Shanghai."),
                params={"tz": name},
                code="tz",
            ) from None
        return name

    def clean(self):
        data = super().clean()
        # "Detect" is the importer's default: leave it out so a mapping's own date order
        # and the layout detection apply.
        if data.get("format") == "auto":
            data["format"] = ""
        if data.get("date_order") == ColumnMapping.DateOrder.AUTO:
            data["date_order"] = ""
        if data.get("mapping") and data.get("format") not in ("", "generic"):
            self.add_error(
                "mapping",
                _("A saved column mapping reads a generic export; choose the layout “%(layout)s”.")
                % {"layout": self.LAYOUT_LABELS["generic"]},
            )
        return data
