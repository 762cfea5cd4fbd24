from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls", ".xlsm", ".ods", ".tsv")


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or GBK) or Excel (.xlsx). The first row names the columns."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(
                _("“%(name)s” is not a CSV or Excel file; choose a .csv or .xlsx file."),
                params={"name": upload.name},
                code="suffix",
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        return upload
