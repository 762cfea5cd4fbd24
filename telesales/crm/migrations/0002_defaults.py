"""The default call outcomes and tier rules, present in every new database."""

from django.db import migrations

DISPOSITIONS = [
    # code, label, flags, recycle after days, max attempts
    ("no_answer", "未接通", {}, 1, 6),
    ("busy", "占线", {}, 1, 6),
    ("wrong_number", "空号/错号", {"unworkable": True}, None, None),
    ("contacted", "已沟通，待跟进", {"contact": True}, 7, 3),
    ("callback", "约定回电", {"contact": True, "callback": True}, None, None),
    ("intent", "有意向", {"contact": True, "intent": True}, None, None),
    ("not_interested", "无意向", {"contact": True, "not_interested": True}, 30, 2),
    ("sale", "已成交", {"contact": True, "intent": True, "sale": True}, None, None),
    ("dnc", "拒绝再联系", {"contact": True, "dnc": True}, None, None),
]

TIER_RULES = [
    # order, name, tier, conditions
    (10, "有成交记录", "A", [{"field": "deals", "op": ">=", "value": 1}]),
    (20, "高意向", "A", [{"field": "intent_level", "op": ">=", "value": "high"}]),
    (30, "中意向", "B", [{"field": "intent_level", "op": ">=", "value": "medium"}]),
    (
        40,
        "规模较大且近30天有接触",
        "B",
        [
            {"field": "company_size", "op": ">=", "value": 100},
            {"field": "last_activity_days", "op": "<=", "value": 30},
        ],
    ),
    (50, "转介绍", "B", [{"field": "source", "op": "in", "value": ["referral", "转介绍"]}]),
    (60, "近30天有接触", "C", [{"field": "last_activity_days", "op": "<=", "value": 30}]),
]


def forwards(apps, schema_editor):
    Disposition = apps.get_model("crm", "Disposition")
    TierRule = apps.get_model("crm", "TierRule")
    for order, (code, label, flags, recycle, attempts) in enumerate(DISPOSITIONS, start=1):
        Disposition.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "order": order * 10,
                "recycle_after_days": recycle,
                "max_attempts": attempts,
                **flags,
            },
        )
    if not TierRule.objects.exists():
        for order, name, tier, conditions in TIER_RULES:
            TierRule.objects.create(order=order, name=name, tier=tier, conditions=conditions)


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
