"""The default QA scorecard, present in every new database: six scored checkpoints worth 100
points together, three instant-fail items, passing score 80."""

from decimal import Decimal

from django.db import migrations

CODE = "default"
NAME = "电销通话质检标准"
PASSING = Decimal("80")
CHECKPOINTS = [
    # order, label, points, guidance
    (10, "开场白规范", 10, "问候、自报公司和姓名、说明来电目的，并确认对方是否方便通话。"),
    (20, "需求挖掘", 20, "用开放式问题了解客户现状、痛点和决策流程，并复述确认。"),
    (30, "产品介绍准确", 20, "介绍与客户需求相关的产品要点，价格、功能和政策表述准确。"),
    (40, "异议处理", 20, "倾听并确认异议，给出有依据的回应，不与客户争辩。"),
    (50, "促成与约定下一步", 15, "适时促成，明确下一步行动和时间（回访、演示、报价等）。"),
    (60, "服务态度与礼貌用语", 15, "语气热情耐心，使用礼貌用语，不打断客户，规范结束通话。"),
]
INSTANT_FAILS = [
    # order, label, guidance
    (110, "违规承诺/虚假宣传", "承诺公司政策以外的优惠、效果或收益，或夸大、虚构产品功能。"),
    (120, "辱骂或不尊重客户", "使用辱骂、讽刺、威胁等不文明语言，或挂断客户电话。"),
    (130, "泄露客户信息", "向无关人员透露客户的姓名、电话、订单等个人或商业信息。"),
]


def forwards(apps, schema_editor):
    Scorecard = apps.get_model("qa", "Scorecard")
    ScorecardVersion = apps.get_model("qa", "ScorecardVersion")
    Checkpoint = apps.get_model("qa", "Checkpoint")
    scorecard, created = Scorecard.objects.get_or_create(code=CODE)
    if not created and ScorecardVersion.objects.filter(scorecard=scorecard).exists():
        return
    version = ScorecardVersion.objects.create(
        scorecard=scorecard, number=1, name=NAME, passing_score=PASSING
    )
    Checkpoint.objects.bulk_create(
        [
            Checkpoint(version=version, order=order, label=label, points=points, guidance=guide)
            for order, label, points, guide in CHECKPOINTS
        ]
        + [
            Checkpoint(
                version=version,
                order=order,
                label=label,
                points=0,
                instant_fail=True,
                guidance=guide,
            )
            for order, label, guide in INSTANT_FAILS
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("qa", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
