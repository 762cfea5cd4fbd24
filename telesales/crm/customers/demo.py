"""Demo customers: one for every number the demo reps dialled, owned by the rep who called it
most, with the outcomes the reps recorded after their calls (answered long calls lead to
contacts, callbacks, intent and the odd sale; unanswered ones to no answer or busy), intent
levels from those outcomes, a few do-not-call customers, and a pool of new unowned leads."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.calls.samples import MOBILE_PREFIXES
from telesales.core.demo import DemoContext
from telesales.crm.customers.intent import intent_levels, intent_threshold
from telesales.crm.customers.phones import phone_normalise_or_none
from telesales.crm.customers.tiering import CustomerFacts, TierRules, rules_active
from telesales.crm.models import Customer, CustomerEvent, Disposition, Outcome

NEW_LEADS = 200
_MOBILE = re.compile(r"^1[3-9]\d{9}$")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁芳娜敏静丽艳娟霞秀玲燕婷雪琳晶颖倩慧佳欣怡萍红梅琴"
CITIES = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "西安",
    "天津",
    "重庆",
    "长沙",
    "郑州",
    "济南",
    "青岛",
    "宁波",
    "厦门",
    "合肥",
    "福州",
]
CORES = [
    "华信",
    "恒达",
    "金桥",
    "创新",
    "远航",
    "鼎盛",
    "瑞丰",
    "博远",
    "宏图",
    "天成",
    "中兴",
    "新锐",
    "海纳",
    "卓越",
    "汇通",
    "东方",
    "启明",
    "正和",
    "嘉禾",
    "星河",
]
TRADES = [
    "科技",
    "贸易",
    "电子",
    "物流",
    "医疗器械",
    "教育咨询",
    "餐饮管理",
    "建材",
    "服饰",
    "网络",
    "文化传媒",
    "机械设备",
]
SIZES = (5, 8, 12, 20, 30, 50, 80, 120, 200, 350, 500, 1000, 2000)
SOURCES = (
    ("电话名单", 35),
    ("官网表单", 20),
    ("广告投放", 18),
    ("展会", 10),
    ("转介绍", 9),
    ("老客户", 8),
)
NOTES = {
    "contacted": ("介绍了产品，客户说要再考虑", "客户在开会，简单介绍了一下", "已发资料到微信"),
    "callback": ("客户约明天下午再打", "客户让下周一再联系", "对方负责人出差，约回来后联系"),
    "intent": ("客户对专业版有兴趣，约演示", "询问了价格和折扣", "要了报价单，准备内部讨论"),
    "not_interested": ("已经在用别家的系统", "暂时没有预算", "不需要"),
    "sale": ("客户确认下单", "签约成功，等待付款"),
    "dnc": ("客户明确要求不要再打电话",),
    "wrong_number": ("号码不是本人",),
}
# Outcomes of an answered call by its talk time: (code, weight).
SHORT = (("not_interested", 35), ("contacted", 30), ("callback", 15), ("wrong_number", 12))
SHORT += (("dnc", 5),)
MEDIUM = (("contacted", 35), ("callback", 25), ("not_interested", 25), ("intent", 10), ("dnc", 3))
LONG = (("contacted", 28), ("callback", 25), ("intent", 30), ("not_interested", 10), ("sale", 4))
LONG += (("dnc", 2),)


def _pick(rng: random.Random, weighted) -> str:
    roll = rng.random() * sum(w for _v, w in weighted)
    for value, weight in weighted:
        roll -= weight
        if roll <= 0:
            return value
    return weighted[-1][0]


@dataclass
class _Number:
    phone: str
    raw: str
    calls: list[tuple] = field(default_factory=list)


@dataclass(slots=True)
class _Lead:
    """A customer to be inserted, with its outcomes (tuples in OUTCOME_COLUMNS order, the
    customer id left out) and its events (kind, text, detail, at)."""

    phone: str
    raw: str
    name: str
    company: str
    company_size: int | None
    source: str
    created_at: dt.datetime
    tier: str = "D"
    tier_reason: dict = field(default_factory=dict)
    intent_level: str = "none"
    intent_on: dt.date | None = None
    owner_id: int | None = None
    owned_since: dt.datetime | None = None
    dnc: bool = False
    last_contact_at: dt.datetime | None = None
    last_disposition_id: int | None = None
    next_follow_up: dt.date | None = None
    outcomes: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)


def _phone(raw: str) -> str | None:
    # Demo numbers are mobiles; the fast path spares 100,000 parses of the same shape.
    return "+86" + raw if _MOBILE.match(raw) else phone_normalise_or_none(raw)


def _company(rng: random.Random) -> tuple[str, int | None]:
    if rng.random() < 0.35:
        return "", None
    name = f"{rng.choice(CITIES)}{rng.choice(CORES)}{rng.choice(TRADES)}有限公司"
    return name, rng.choice(SIZES)


def _name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    roll = rng.random()
    if roll < 0.45:
        return surname + ("先生" if rng.random() < 0.6 else "女士")
    if roll < 0.55:
        return surname + "总"
    return surname + "".join(rng.choice(GIVEN) for _i in range(rng.choice((1, 2))))


def _numbers() -> dict[str, _Number]:
    """Outbound calls by customer number, oldest first."""
    from telesales.calls.models import Call, Direction

    numbers: dict[str, _Number] = {}
    rows = (
        Call.objects.filter(direction=Direction.OUTBOUND)
        .exclude(customer_number="")
        .order_by("started_at", "id")
        .values_list(
            "id",
            "customer_number",
            "employee_id",
            "started_at",
            "answered",
            "talk_seconds",
            "disposition",
        )
    )
    for call in rows.iterator(chunk_size=5000):
        phone = _phone(call[1])
        if phone is None:
            continue
        entry = numbers.get(phone)
        if entry is None:
            entry = numbers[phone] = _Number(phone, call[1])
        entry.calls.append(call)
    return numbers


class _Planner:
    """Decides, call by call, what each rep recorded, and what the customer became."""

    def __init__(self, *, rng: random.Random, today: dt.date) -> None:
        from telesales.org.models import Employee

        self.rng = rng
        self.today = today
        self.zone = timezone.get_current_timezone()
        self.end_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time(20, 0)))
        self.oldest_follow_up = today - dt.timedelta(days=7)
        self.codes = {d.code: d for d in Disposition.objects.filter(is_active=True)}
        self.left = {
            pk
            for pk, leave in Employee.objects.filter(leave_date__isnull=False).values_list(
                "pk", "leave_date"
            )
            if leave <= today
        }
        self.levels = intent_levels()
        self.rank = {level: index for index, level in enumerate(self.levels)}
        self.threshold = intent_threshold()
        self.rules = TierRules(rules_active(), self.levels)
        self.tiers: dict[CustomerFacts, tuple[str, dict]] = {}

    def lead(self, phone: str, raw: str, created_at: dt.datetime) -> _Lead:
        company, size = _company(self.rng)
        return _Lead(
            phone=phone,
            raw=raw,
            name=_name(self.rng),
            company=company,
            company_size=size,
            source=_pick(self.rng, SOURCES),
            created_at=created_at,
            intent_level=self.levels[0],
        )

    def customer(self, entry: _Number) -> _Lead:
        lead = self.lead(entry.phone, entry.raw, entry.calls[0][3])
        if len(entry.calls) == 1:
            owner = entry.calls[0][2]
        else:
            by_rep = Counter(c[2] for c in entry.calls if c[2] is not None)
            most = max(by_rep.values(), default=0)
            owner = next((c[2] for c in reversed(entry.calls) if by_rep.get(c[2]) == most), None)
        if owner is not None and owner not in self.left:  # a leaver's leads went back to the pool
            lead.owner_id = owner
            lead.owned_since = next(c[3] for c in entry.calls if c[2] == owner)
        for call in entry.calls:
            if call[2] is not None:
                self._outcome(lead, call)
        if lead.dnc or (
            lead.next_follow_up is not None and lead.next_follow_up < self.oldest_follow_up
        ):
            # The demo's numbers are called once; a follow-up long past would have been
            # made or dropped, so only the last week's are still open.
            lead.next_follow_up = None
        self._tier(lead)
        return lead

    def _outcome(self, lead: _Lead, call: tuple) -> None:
        rng = self.rng
        call_id, _raw, rep, started, answered, talk, status = call
        if answered:
            if rng.random() < 0.08:
                return  # forgotten: no outcome recorded
            code = _pick(rng, SHORT if talk < 20 else MEDIUM if talk < 60 else LONG)
        else:
            if rng.random() > 0.3:
                return
            code = "busy" if status == "BUSY" else "no_answer"
        chosen = self.codes.get(code)
        if chosen is None:
            return
        delay = dt.timedelta(seconds=talk + rng.randrange(30, 1800))
        if rng.random() < 0.05:
            delay += dt.timedelta(days=rng.randint(1, 3))  # recorded late
        recorded = min(started + delay, self.end_of_today)
        day = started.astimezone(self.zone).date()
        follow_up = None
        if chosen.callback:
            follow_up = day + dt.timedelta(days=rng.randint(1, 5))
        elif chosen.intent and not chosen.sale:
            follow_up = day + dt.timedelta(days=rng.randint(1, 7))
        elif code == "contacted":
            follow_up = day + dt.timedelta(days=rng.randint(3, 14))
        notes = rng.choice(NOTES[code]) if code in NOTES and rng.random() < 0.7 else ""
        lead.outcomes.append((rep, call_id, chosen.pk, notes, follow_up, recorded))
        lead.last_disposition_id, lead.next_follow_up = chosen.pk, follow_up
        if chosen.contact:
            lead.last_contact_at = started
        level = lead.intent_level
        if chosen.sale:
            level = self.levels[-1]
        elif chosen.intent:
            level = self.threshold
            if rng.random() < 0.3 and len(self.levels) > self.rank[self.threshold] + 1:
                level = self.levels[self.rank[self.threshold] + 1]
        elif code == "contacted" and talk >= 120 and len(self.levels) > 2:
            level = self.levels[1]
        if self.rank.get(level, -1) > self.rank.get(lead.intent_level, -1):
            detail = {"from": lead.intent_level, "to": level}
            lead.events.append((CustomerEvent.Kind.INTENT, "", detail, recorded))
            lead.intent_level = level
            if lead.intent_on is None and self.rank[level] >= self.rank[self.threshold]:
                lead.intent_on = day
        if chosen.dnc and not lead.dnc:
            lead.dnc = True
            lead.events.append((CustomerEvent.Kind.DNC, "", {"dnc": True}, recorded))

    def _tier(self, lead: _Lead) -> None:
        moments = [m for m in (lead.last_contact_at,) if m]
        if lead.outcomes:
            moments.append(lead.outcomes[-1][5])
        last = max(moments).astimezone(self.zone).date() if moments else None
        facts = CustomerFacts(
            intent_level=lead.intent_level,
            source=lead.source,
            company_size=lead.company_size,
            last_activity_days=None if last is None else (self.today - last).days,
            deals=0,
            attempts=len(lead.outcomes),
            dnc=lead.dnc,
            last_activity_on=last,
        )
        # Most leads share their facts (one unanswered call, no outcome): evaluate each once.
        found = self.tiers.get(facts)
        if found is None:
            found = self.tiers[facts] = self.rules.evaluate(facts)
        lead.tier, lead.tier_reason = found


class _Writer:
    """Rows inserted with executemany: the ORM's bulk_create spends most of its time on
    building SQL for 150,000 customers, which the demo would otherwise wait for."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.ops = connection.ops
        self.converted: dict[tuple, tuple] = {}

    def moment(self, value: dt.datetime | None):
        return None if value is None else self.ops.adapt_datetimefield_value(value)

    def day(self, value: dt.date | None):
        return None if value is None else self.ops.adapt_datefield_value(value)

    def json(self, model, name: str, value):
        # Shared reasons are converted once.
        key = (model, name, id(value))
        if key not in self.converted:
            self.converted[key] = (
                value,
                model._meta.get_field(name).get_db_prep_save(value, self.connection),
            )
        return self.converted[key][1]

    def insert(self, model, columns: list[str], rows: list[tuple]) -> None:
        quote = self.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (constant names)
            quote(model._meta.db_table),
            ", ".join(quote(c) for c in columns),
            ", ".join(["%s"] * len(columns)),
        )
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, rows[start : start + 5000])


CUSTOMER_COLUMNS = [
    "phone",
    "phone_raw",
    "name",
    "company",
    "company_size",
    "source",
    "tier",
    "tier_reason",
    "tier_fixed",
    "intent_level",
    "intent_on",
    "owner_id",
    "owned_since",
    "dnc",
    "attempts",
    "last_contact_at",
    "last_disposition_id",
    "next_follow_up",
    "created_at",
    "updated_at",
]
OUTCOME_COLUMNS = [
    "customer_id",
    "employee_id",
    "call_id",
    "disposition_id",
    "notes",
    "next_follow_up",
    "recorded_at",
]
EVENT_COLUMNS = ["customer_id", "at", "kind", "text", "detail"]


def _store(leads: list[_Lead]) -> int:
    """Insert the customers, then their outcomes and events; returns the outcomes stored."""
    writer = _Writer()
    now = writer.moment(timezone.now())
    writer.insert(
        Customer,
        CUSTOMER_COLUMNS,
        [
            (
                c.phone,
                c.raw,
                c.name,
                c.company,
                c.company_size,
                c.source,
                c.tier,
                writer.json(Customer, "tier_reason", c.tier_reason),
                False,
                c.intent_level,
                writer.day(c.intent_on),
                c.owner_id,
                writer.moment(c.owned_since),
                c.dnc,
                len(c.outcomes),
                writer.moment(c.last_contact_at),
                c.last_disposition_id,
                writer.day(c.next_follow_up),
                writer.moment(c.created_at),
                now,
            )
            for c in leads
        ],
    )
    ids = dict(Customer.objects.values_list("phone", "pk"))
    outcomes = [
        (ids[c.phone], rep, call, disposition, notes, writer.day(follow), writer.moment(at))
        for c in leads
        for rep, call, disposition, notes, follow, at in c.outcomes
    ]
    writer.insert(Outcome, OUTCOME_COLUMNS, outcomes)
    writer.insert(
        CustomerEvent,
        EVENT_COLUMNS,
        [
            (
                ids[c.phone],
                writer.moment(at),
                kind,
                text,
                writer.json(CustomerEvent, "detail", detail),
            )
            for c in leads
            for kind, text, detail, at in c.events
        ],
    )
    return len(outcomes)


def demo_customers(context: DemoContext) -> str:
    if Customer.objects.exists():
        return ""
    rng = random.Random(context.seed * 31 + 30)
    planner = _Planner(rng=rng, today=context.today)
    numbers = _numbers()
    leads = [planner.customer(entry) for entry in numbers.values()]
    # New leads for the allocation pool: numbers nobody has called yet.
    taken = set(numbers)
    start = timezone.make_aware(dt.datetime.combine(context.today, dt.time(8, 0)))
    while len(leads) < len(numbers) + NEW_LEADS:
        raw = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if "+86" + raw in taken:
            continue
        taken.add("+86" + raw)
        lead = planner.lead("+86" + raw, raw, start - dt.timedelta(days=rng.randint(0, 20)))
        planner._tier(lead)
        leads.append(lead)
    with transaction.atomic():
        stored = _store(leads)
    owned = sum(1 for c in leads if c.owner_id)
    return _(
        "Created %(customers)s customers from the demo calls (%(owned)s owned by the rep who "
        "called them most, %(pool)s in the pool, %(dnc)s do not call) and %(outcomes)s call "
        "outcomes."
    ) % {
        "customers": len(leads),
        "owned": owned,
        "pool": len(leads) - owned,
        "dnc": sum(1 for c in leads if c.dnc),
        "outcomes": stored,
    }


def demo_customer_tiers(context: DemoContext) -> str:
    """After the demo deals: customers with deals are tiered again (a deal makes an A)."""
    from telesales.crm.customers.tiering import customers_retier

    with transaction.atomic():
        changed = customers_retier(
            actor=None,
            customers=Customer.objects.filter(deals__isnull=False).distinct(),
            today=context.today,
        )
    if not changed:
        return ""
    return _("Tiered %(count)s customers with deals again.") % {"count": changed}
