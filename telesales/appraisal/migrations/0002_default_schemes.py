"""The shipped schemes `supervisor-default` and `rep-default` (PRODUCT.md §7), present in every
new database; read from the YAML files in telesales/appraisal/fixtures/."""

from django.db import migrations


def add_defaults(apps, schema_editor):
    from telesales.appraisal.schemes import (
        DEFAULT_CODES,
        _Models,
        default_scheme_text,
        scheme_parse,
        scheme_store,
    )

    models = _Models(
        apps.get_model("appraisal", "Scheme"),
        apps.get_model("appraisal", "Category"),
        apps.get_model("appraisal", "SchemeKpi"),
    )
    for code in DEFAULT_CODES:
        if not models.scheme.objects.filter(code=code).exists():
            scheme_store(scheme_parse(default_scheme_text(code)), models=models)


def remove_defaults(apps, schema_editor):
    apps.get_model("appraisal", "Scheme").objects.filter(
        code__in=("supervisor-default", "rep-default")
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
