"""The demo step of the call scripts: four scripts, and demo outcomes naming the versions
used, the opening's v2 clearly better than v1."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from telesales.core.demo import DemoContext, demo_steps
from telesales.crm.customers.services import customer_create, outcome_record
from telesales.crm.models import Disposition, Outcome, Script, ScriptVersion
from telesales.crm.scripts.demo import demo_scripts
from telesales.crm.scripts.selectors import version_counts
from telesales.crm.scripts.stats import Verdict, versions_compare

pytestmark = pytest.mark.usefixtures("english")

_phones = itertools.count(1)


@pytest.fixture
def outcomes(org):
    """R1, R2 and R3 record 36 sales and 150 other contacts today, and 6 busy lines."""
    codes = ["sale"] * 36 + ["contacted"] * 90 + ["not_interested"] * 60 + ["busy"] * 6
    dispositions = {d.code: d for d in Disposition.objects.all()}
    reps = itertools.cycle([org.r1, org.r2, org.r3])
    for code in codes:
        rep = next(reps)
        customer = customer_create(actor=None, phone=f"1370000{next(_phones):04d}", owner=rep)
        outcome_record(
            actor=rep.user, customer=customer, disposition=dispositions[code], employee=rep
        )
    return org


def test_the_demo_step_runs_after_the_deals():
    steps = [step.key for step in demo_steps()]
    assert steps.index("deals") < steps.index("scripts")


def test_the_demo_writes_four_scripts_and_names_versions_on_outcomes(outcomes):
    # given
    context = DemoContext(today=timezone.localdate(), seed=7)
    # when
    summary = demo_scripts(context)
    # then
    assert summary.startswith("Created 4 call scripts and named the version used on ")
    assert list(Script.objects.order_by("code").values_list("code", "title")) == [
        ("closing", "促成话术"),
        ("needs", "需求挖掘"),
        ("opening", "开场白"),
        ("price-objection", "异议处理：价格太贵"),
    ]
    assert list(
        ScriptVersion.objects.order_by("script__code", "number").values_list(
            "script__code", "number", "status"
        )
    ) == [
        ("closing", 1, "published"),
        ("closing", 2, "draft"),
        ("needs", 1, "published"),
        ("opening", 1, "published"),
        ("opening", 2, "published"),
        ("price-objection", 1, "published"),
        ("price-objection", 2, "published"),
    ]
    assert not Outcome.objects.filter(
        script_version__isnull=False, disposition__contact=False
    ).exists()


def _verdicts(user, code):
    script = Script.objects.get(code=code)
    versions = list(script.versions.filter(status="published").order_by("number"))
    today = timezone.localdate()
    counts = version_counts(user, script, versions, start=today, end=today)
    return counts, [
        r.comparison.verdict for r in versions_compare(counts, baseline=None, alpha=0.05)
    ]


def test_the_opening_v2_is_better_and_the_price_versions_cannot_be_told_apart(outcomes):
    # when
    demo_scripts(DemoContext(today=timezone.localdate(), seed=7))
    # then
    opening, opening_verdicts = _verdicts(outcomes.admin.user, "opening")
    price, price_verdicts = _verdicts(outcomes.admin.user, "price-objection")
    assert opening_verdicts == [Verdict.BASELINE, Verdict.BETTER]
    assert opening[1].conversion > opening[0].conversion
    assert [(c.contacts, c.sales) for c in price] == [(10, 1), (10, 2)]
    assert price_verdicts == [Verdict.BASELINE, Verdict.NO_DIFFERENCE]


def test_the_demo_step_runs_once(outcomes):
    # given
    context = DemoContext(today=timezone.localdate(), seed=7)
    demo_scripts(context)
    named = Outcome.objects.filter(script_version__isnull=False).count()
    # when
    again = demo_scripts(context)
    # then
    assert again == ""
    assert (Script.objects.count(), named) == (
        4,
        Outcome.objects.filter(script_version__isnull=False).count(),
    )


def test_without_outcomes_the_demo_still_writes_the_scripts(org):
    summary = demo_scripts(DemoContext(today=timezone.localdate(), seed=7))
    assert summary == (
        "Created 4 call scripts; there were no demo outcomes to name their versions."
    )
    assert Script.objects.count() == 4
