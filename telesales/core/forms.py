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


class SettingsForm(forms.Form):
    """One field per declared setting, each made by its definition's field()."""

    def __init__(self, *args, definitions, values, **kwargs):
        super().__init__(*args, **kwargs)
        for definition in definitions:
            field = definition.field()
            field.label = definition.label
            field.help_text = definition.help
            field.initial = values[definition.key]
            self.fields[self.field_name(definition)] = field

    @staticmethod
    def field_name(definition) -> str:
        return definition.key.replace(".", "__")

    def value_of(self, definition):
        return self.cleaned_data[self.field_name(definition)]
