"""The demo step of motivation and team climate: monthly check-ins for every rep with a few
falling, ledger entries with one reversal, monthly team activities; the risk page shows the
falling reps with their reasons."""

from __future__ import annotations

import datetime as dt

import pytest

from telesales.core.demo import DemoContext, demo_steps
from telesales.org.demo import DEMO_SEED, demo_build
from telesales.org.models import Employee, Role
from telesales.people.morale.demo import demo_morale
from telesales.people.morale.models import CheckIn, LedgerEntry, TeamActivity
from telesales.reports.attrition import attrition_risks

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def demo(db, settings):
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_build(today=TODAY)
    return demo_morale(DemoContext(today=TODAY, seed=DEMO_SEED))


def test_the_step_is_registered_after_the_targets():
    # when
    steps = {step.key: step.order for step in demo_steps()}
    # then
    assert steps["morale"] == 78 and steps["targets"] < 78


def test_the_demo_holds_monthly_check_ins_for_every_rep(demo):
    # then
    reps = Employee.objects.filter(role=Role.REP).employed_on(TODAY)
    with_checkins = set(CheckIn.objects.values_list("employee_id", flat=True))
    assert set(reps.values_list("pk", flat=True)) <= with_checkins
    assert CheckIn.objects.filter(date__gt=TODAY).count() == 0
    assert CheckIn.objects.filter(date__lt=dt.date(2026, 1, 1)).count() == 0
    for checkin in CheckIn.objects.select_related("held_by", "team"):
        assert checkin.held_by.pk == checkin.team.supervisor_id
    assert demo.startswith("Morale: ")


def test_the_demo_ledger_is_mostly_recognition_with_a_few_penalties_and_one_reversal(demo):
    # then
    kinds = {
        kind: LedgerEntry.objects.filter(kind=kind, reverses__isnull=True).count()
        for kind in LedgerEntry.Kind.values
    }
    assert kinds["recognition"] > kinds["reward"] > kinds["penalty"] >= 2
    assert LedgerEntry.objects.filter(reverses__isnull=False).count() == 1
    assert TeamActivity.objects.count() == 3 * 6


def test_the_demo_shows_reps_whose_morale_is_falling_on_the_risk_page(demo):
    # when
    reps = list(Employee.objects.filter(role=Role.REP).employed_on(TODAY))
    risks = attrition_risks(reps, today=TODAY)
    # then
    falling = [r for r in risks if {"morale_low", "morale_falling"} <= {f.code for f in r.facts}]
    assert 2 <= len(falling) <= 3
    assert all(r.level == "high" for r in falling)
    assert risks[: len(falling)] == falling


def test_the_demo_step_runs_once(demo):
    # when
    again = demo_morale(DemoContext(today=TODAY, seed=DEMO_SEED))
    # then
    assert again == ""
