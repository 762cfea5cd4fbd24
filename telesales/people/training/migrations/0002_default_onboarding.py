"""The default onboarding template, present in every new database: the first ten working
days of a new rep."""

import datetime as dt

from django.db import migrations

NAME = "新员工入职培训（默认）"
# topic, title, working day, start, minutes
ITEMS = (
    ("product_knowledge", "公司与产品知识", 1, "09:30", 180),
    ("sales_process", "销售流程与CRM使用", 2, "09:30", 180),
    ("call_scripts", "电话话术演练", 3, "14:00", 120),
    ("compliance", "合规与客户信息保护", 4, "09:30", 90),
    ("product_knowledge", "重点产品深入讲解", 5, "09:30", 120),
    ("selling_skills", "需求挖掘与异议处理", 6, "14:00", 120),
    ("call_scripts", "优秀录音复盘与模拟通话", 8, "14:00", 120),
    ("systems", "呼叫系统与工作报告填写", 9, "09:30", 60),
    ("sales_process", "入职考核与转正目标沟通", 10, "15:00", 90),
)


def forwards(apps, schema_editor):
    Template = apps.get_model("training", "OnboardingTemplate")
    Item = apps.get_model("training", "TemplateItem")
    if Template.objects.exists():
        return
    template = Template.objects.create(name=NAME, is_active=True)
    Item.objects.bulk_create(
        Item(
            template=template,
            topic=topic,
            title=title,
            workday=day,
            start_time=dt.time.fromisoformat(start),
            duration_minutes=minutes,
        )
        for topic, title, day, start, minutes in ITEMS
    )


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
