from django import forms
from django.utils.translation import gettext_lazy as _

from telesales.org.models import Absence, Role, Team


class EmployeeFilterForm(forms.Form):
    STATUS_CHOICES = [("active", _("Employed")), ("left", _("Left")), ("all", _("All"))]

    q = forms.CharField(label=_("Search"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("All roles")), *Role.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=STATUS_CHOICES, required=False, initial="active"
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams


class AbsenceForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=_("Until (included)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Absence.Kind.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The leave ends before it starts."))
        return data
