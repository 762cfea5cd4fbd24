"""Default SLA hours by ticket kind and priority, present in every new database."""

from django.db import migrations

HOURS = {
    "complaint": {"urgent": 4, "high": 8, "normal": 24, "low": 48},
    "feedback": {"urgent": 8, "high": 24, "normal": 48, "low": 72},
}


def forwards(apps, schema_editor):
    SlaRule = apps.get_model("feedback", "SlaRule")
    for kind, by_priority in HOURS.items():
        for priority, hours in by_priority.items():
            SlaRule.objects.get_or_create(kind=kind, priority=priority, defaults={"hours": hours})


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
