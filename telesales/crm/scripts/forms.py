"""Forms of the script pages: they check the shape of what is typed; the services check the
rules."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from telesales.crm.models import Script, ScriptVersion
from telesales.sales.models import Product

DATE_INPUT = {"type": "date"}
DEFAULT_DAYS = 90  # the comparison looks at the last 90 days unless told otherwise
BODY_WIDGET = forms.Textarea(attrs={"rows": 16, "cols": 80})


def _date_field(label):
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d")
    )


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return f"{obj.code} {obj.name}"


def _products():
    return Product.objects.filter(is_active=True).order_by("code")


class ScriptForm(forms.Form):
    """A new script with the text of its first version."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits, “_” and “-”, for example opening. It cannot change later."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    stage = forms.ChoiceField(label=_("Stage of the call"), choices=Script.Stage.choices)
    product = ProductChoiceField(
        label=_("Product"),
        queryset=Product.objects.none(),
        required=False,
        empty_label=_("Any product"),
    )
    body = forms.CharField(label=_("Text"), widget=BODY_WIDGET, max_length=20000)
    change_note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _products()


class ScriptEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    stage = forms.ChoiceField(label=_("Stage of the call"), choices=Script.Stage.choices)
    product = ProductChoiceField(
        label=_("Product"),
        queryset=Product.objects.none(),
        required=False,
        empty_label=_("Any product"),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Reps choose only the published versions of active scripts."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _products()


class VersionForm(forms.Form):
    body = forms.CharField(label=_("Text"), widget=BODY_WIDGET, max_length=20000)
    change_note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("A line for the team: what is new in this version, and why."),
    )


class MoveForm(forms.Form):
    to_status = forms.ChoiceField(choices=ScriptVersion.Status.choices, widget=forms.HiddenInput)


class DiffForm(forms.Form):
    old = forms.TypedChoiceField(label=_("From version"), coerce=int)
    new = forms.TypedChoiceField(label=_("To version"), coerce=int)

    def __init__(self, *args, numbers: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, f"v{n}") for n in numbers]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices


class CompareForm(forms.Form):
    start = _date_field(_("From"))
    end = _date_field(_("To"))
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=None, required=False, empty_label=_("All my teams")
    )
    baseline = forms.TypedChoiceField(
        label=_("Compare with"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, teams, numbers: list[int], today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if teams is None:
            del self.fields["team"]
        else:
            self.fields["team"].queryset = teams
        self.fields["baseline"].choices = [
            ("", _("the oldest version with contacts")),
            *((n, f"v{n}") for n in numbers),
        ]
        self.fields["start"].widget.attrs["placeholder"] = self.default_start().isoformat()
        self.fields["end"].widget.attrs["placeholder"] = today.isoformat()

    def default_start(self) -> dt.date:
        return self.today - dt.timedelta(days=DEFAULT_DAYS - 1)

    def clean(self):
        data = super().clean()
        data["start"] = data.get("start") or self.default_start()
        data["end"] = data.get("end") or self.today
        if data["start"] > data["end"]:
            raise ValidationError(_("The start date is after the end date."), code="range")
        return data
