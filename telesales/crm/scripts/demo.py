"""Demo call scripts (`telesales demo`): four scripts written by the first supervisor, and
the demo outcomes of the last weeks naming the version the rep used, so that the comparison
shows real numbers: the opening script's v2 is tried against v1 in an A/B test and converts
clearly better; the price objection's two versions have too few outcomes to tell; the
closing script has a draft waiting."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.demo import DemoContext
from telesales.crm.models import Outcome, Script, ScriptVersion
from telesales.crm.scripts import services
from telesales.crm.scripts.stats import Verdict, proportions_compare
from telesales.org.models import Employee, Role

AB_DAYS = 75  # the opening A/B test started this many days ago
V2_SHARE_OF_SALES = 0.75  # of the sales in the A/B test, made with the opening v2
CONTACTS_PER_SALE = 5  # non-sale contacts per sale named on each opening version
SMALL_TEST = ((9, 1), (8, 2))  # price objection v1, v2: (contacts without a sale, sales)

OPENING_V1 = """您好，请问是{客户称呼}吗？我是星辰科技的{姓名}。
我们是做企业销售管理系统的，想跟您介绍一下我们的产品。
请问您现在方便聊两分钟吗？"""

OPENING_V2 = """您好，{客户称呼}，我是星辰科技的{姓名}，打扰您一分钟。
看到贵公司最近在招聘电销岗位，很多同规模的企业用我们的系统后，坐席人均有效通话提升了三成。
想请教一下：您现在团队的线索是怎么分配和跟进的？
如果方便，我用两分钟说说别家是怎么做的；不方便的话，您看什么时间再联系您合适？"""

NEEDS_V1 = """1. 您现在的销售团队有多少人？主要是电话销售还是面访？
2. 客户资料目前放在哪里管理？Excel 还是已有系统？
3. 每天大概要打多少通电话？接通率您满意吗？
4. 现在最让您头疼的是哪一块：线索不够、跟进不及时，还是转化低？
5. 如果要改进，您最希望先解决哪一个问题？由谁来拍板？"""

PRICE_V1 = """我理解您的顾虑，价格确实是要考虑的。
不过我们的产品功能很全，服务也好，性价比其实很高。
现在下单还有九折优惠，您看要不要先定下来？"""

PRICE_V2 = """理解，价格是一定要算清楚的。冒昧问一下，您是跟哪个方案比觉得贵？
按您说的十个坐席算，每人每天多一通有效沟通，一个月就能多出两百多次机会。
我们可以先开一个月的试用，用数据说话；如果效果不明显，您不用付一分钱。"""

CLOSING_V1 = """根据您刚才说的情况，专业版最适合您的团队。
我今天把合同和报价发到您邮箱，您看是本周内安排签约，还是下周一？
签约后三个工作日内我们的实施顾问会联系您安排上线培训。"""

CLOSING_V2 = """总结一下您的三个需求：线索自动分配、通话质检、每日报表，专业版都能满足。
这个月签约可以赠送两天上线培训。您看合同抬头写公司全称可以吗？
我今天下午就把合同发过去，您这边还需要谁一起看一下？"""


def _actor():
    employee = (
        Employee.objects.filter(role=Role.SUPERVISOR, user__isnull=False)
        .select_related("user")
        .order_by("employee_no")
        .first()
    )
    return employee.user if employee is not None else None


def _script(actor, code, title, stage, body, note="", product_code=None):
    from telesales.sales.models import Product

    product = Product.objects.filter(code=product_code).first() if product_code else None
    script = services.script_create(
        actor=actor,
        code=code,
        title=title,
        stage=stage,
        body=body,
        change_note=note,
        product=product,
    )
    return script, script.versions.get()


def _publish(actor, version: ScriptVersion, at: dt.datetime) -> ScriptVersion:
    version = services.script_version_transition(
        actor=actor, version=version, to_status=ScriptVersion.Status.PUBLISHED
    )
    # The demo's history: written and published on the days the story says.
    version.created_at, version.published_at = at - dt.timedelta(days=3), at
    ScriptVersion.objects.filter(pk=version.pk).update(
        created_at=version.created_at, published_at=version.published_at
    )
    return version


def _name(pks: list[int], version: ScriptVersion) -> None:
    for start in range(0, len(pks), 500):
        Outcome.objects.filter(pk__in=pks[start : start + 500]).update(script_version=version)


def demo_scripts(context: DemoContext) -> str:
    if Script.objects.exists():
        return ""
    rng = random.Random(context.seed * 31 + 55)
    today = context.today
    zone = timezone.get_current_timezone()

    def moment(days_ago: int) -> dt.datetime:
        day = today - dt.timedelta(days=days_ago)
        return dt.datetime.combine(day, dt.time(9, 0), tzinfo=zone)

    actor = _actor()
    stage = Script.Stage
    with transaction.atomic():
        opening, opening_v1 = _script(actor, "opening", "开场白", stage.OPENING, OPENING_V1)
        opening_v1 = _publish(actor, opening_v1, moment(118))
        opening_v2 = services.script_version_create(
            actor=actor,
            script=opening,
            body=OPENING_V2,
            change_note="先讲同类客户的结果，再用问题引出需求；不方便时约定回电时间",
        )
        opening_v2 = _publish(actor, opening_v2, moment(AB_DAYS))
        _needs, needs_v1 = _script(actor, "needs", "需求挖掘", stage.NEEDS, NEEDS_V1)
        needs_v1 = _publish(actor, needs_v1, moment(110))
        price, price_v1 = _script(
            actor, "price-objection", "异议处理：价格太贵", stage.OBJECTION, PRICE_V1
        )
        price_v1 = _publish(actor, price_v1, moment(100))
        price_v2 = services.script_version_create(
            actor=actor,
            script=price,
            body=PRICE_V2,
            change_note="先问清比较对象，用客户自己的数字算账，再给试用",
        )
        price_v2 = _publish(actor, price_v2, moment(30))
        closing, closing_v1 = _script(
            actor, "closing", "促成话术", stage.CLOSING, CLOSING_V1, product_code="P002"
        )
        _publish(actor, closing_v1, moment(90))
        services.script_version_create(
            actor=actor, script=closing, body=CLOSING_V2, change_note="复述需求后再给选择题"
        )
        named = _attach(rng, opening_v1, opening_v2, needs_v1, price_v1, price_v2)
    if not named["count"]:
        return _("Created 4 call scripts; there were no demo outcomes to name their versions.")
    return _(
        "Created 4 call scripts and named the version used on %(count)s demo outcomes; the "
        "opening's v2 against v1: %(verdict)s (p = %(p)s)."
    ) % {
        "count": named["count"],
        "verdict": named["verdict"],
        "p": _p_text(named["p"]),
    }


def _attach(rng, opening_v1, opening_v2, needs_v1, price_v1, price_v2) -> dict:
    """Name versions on the reps' contact outcomes recorded since each version was out."""
    contacts = list(
        Outcome.objects.filter(
            Q(disposition__contact=True) | Q(disposition__sale=True),
            recorded_at__gte=opening_v2.published_at,
            employee__role=Role.REP,
            script_version__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", "disposition__sale", "recorded_at")
    )
    rng.shuffle(contacts)
    # The price objection: a handful of outcomes since its v2, too few to tell the two apart.
    small: dict[ScriptVersion, list[int]] = {price_v1: [], price_v2: []}
    recent = [c for c in contacts if c[2] >= price_v2.published_at]
    for version, (others_wanted, sales_wanted) in zip(small, SMALL_TEST, strict=True):
        picked_sales = [c for c in recent if c[1]][:sales_wanted]
        picked_others = [c for c in recent if not c[1]][:others_wanted]
        if len(picked_sales) < sales_wanted or len(picked_others) < others_wanted:
            break
        small[version] = [c[0] for c in picked_sales + picked_others]
        recent = [c for c in recent if c[0] not in small[version]]
    taken = {pk for pks in small.values() for pk in pks}
    sales = [pk for pk, sale, _at in contacts if sale and pk not in taken]
    others = [pk for pk, sale, _at in contacts if not sale and pk not in taken]
    # The opening A/B test: v2 makes most of the sales on as many contacts as v1.
    cut = round(len(sales) * V2_SHARE_OF_SALES)
    v2_sales, v1_sales = sales[:cut], sales[cut:]
    per_version = min(len(others) // 2, CONTACTS_PER_SALE * len(sales) // 2)
    v1_pks = v1_sales + others[:per_version]
    v2_pks = v2_sales + others[per_version : 2 * per_version]
    rest = others[2 * per_version :]
    needs_pks = rest[: 3 * len(sales)]
    for version, pks in ((opening_v1, v1_pks), (opening_v2, v2_pks), (needs_v1, needs_pks)):
        _name(pks, version)
    for version, pks in small.items():
        _name(pks, version)
    result = None
    if v1_pks and v2_pks:
        result = proportions_compare(
            sales=len(v2_sales),
            contacts=len(v2_pks),
            base_sales=len(v1_sales),
            base_contacts=len(v1_pks),
            alpha=0.05,
        )
    verdicts = {
        Verdict.BETTER: _("better"),
        Verdict.WORSE: _("worse"),
        Verdict.NO_DIFFERENCE: _("no significant difference yet"),
    }
    return {
        "count": len(v1_pks) + len(v2_pks) + len(needs_pks) + len(taken),
        "verdict": verdicts.get(result.verdict, "—") if result else "—",
        "p": result.p_value if result else None,
    }


def _p_text(p: float | None) -> str:
    """Four decimals, or the power of ten when that would read 0.0000."""
    if p is None:
        return "—"
    return f"{p:.4f}" if p >= 0.0001 else f"{p:.1e}"
