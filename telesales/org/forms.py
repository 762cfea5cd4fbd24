from django import forms
from django.utils.translation import gettext_lazy as _

from telesales.org.models import Role, Team


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
