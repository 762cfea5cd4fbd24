"""Onboarding (source §2.2.2): a new rep gets the active template's sessions on their first
working days when hired, once; an old hire recorded late and a non-rep get none; the
template page of HR and administrators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from telesales.core.models import AuditEvent
from telesales.org.models import Role
from telesales.org.services import employee_hire, employee_leave
from telesales.people.training.models import (
    OnboardingTemplate,
    TemplateItem,
    TrainingPlan,
    TrainingSession,
)
from telesales.people.training.services import (
    onboarding_assign,
    onboarding_on_hire,
    recurring_plan_create,
)
from telesales.people.training.services import plans as plan_services
from telesales.people.training.workdays import is_workday, nth_workday

pytestmark = pytest.mark.usefixtures("english")

TODAY = dt.date(2026, 9, 28)
DEFAULT_TITLES = [
    "公司与产品知识",
    "销售流程与CRM使用",
    "电话话术演练",
    "合规与客户信息保护",
    "重点产品深入讲解",
    "需求挖掘与异议处理",
    "优秀录音复盘与模拟通话",
    "呼叫系统与工作报告填写",
    "入职考核与转正目标沟通",
]


@pytest.fixture
def today(monkeypatch):
    """The day the hires are recorded (the onboarding rule looks back from it)."""
    day = {"value": TODAY}
    monkeypatch.setattr(plan_services, "_today", lambda: day["value"])
    return day


def _hire(org, no: str, hire: dt.date, role=Role.REP, team="t1"):
    return employee_hire(
        actor=None,
        employee_no=no,
        name=f"新人{no}",
        hire_date=hire,
        role=role,
        team=getattr(org, team),
        manager=org.s1,
    )


def _plan_of(employee) -> list[tuple]:
    plan = TrainingPlan.objects.get(kind="onboarding", employee=employee)
    return [
        (s.date, s.title, s.trainer.employee_no if s.trainer else None, s.status)
        for s in plan.sessions.order_by("date")
    ]


def test_the_default_template_is_in_every_database(db):
    # when
    template = OnboardingTemplate.objects.get(is_active=True)
    # then
    assert template.name == "新员工入职培训（默认）"
    assert [i.title for i in template.items.order_by("workday")] == DEFAULT_TITLES
    assert [i.workday for i in template.items.order_by("workday")] == [1, 2, 3, 4, 5, 6, 8, 9, 10]
    assert set(template.items.values_list("topic", flat=True)) >= {
        "product_knowledge",
        "sales_process",
        "call_scripts",
        "compliance",
    }


def test_working_days_follow_the_china_calendar_with_its_holidays_and_make_up_days():
    # 2026: Mid-Autumn 25 Sep, National Day 1–7 Oct, Saturday 10 Oct a make-up working day
    assert [nth_workday(dt.date(2026, 9, 25), n) for n in (1, 2, 3, 4, 5, 6)] == [
        dt.date(2026, 9, 28),
        dt.date(2026, 9, 29),
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 9),
        dt.date(2026, 10, 10),
    ]


def test_beyond_the_calendars_years_working_days_are_monday_to_friday():
    # the library raises NotImplementedError for 2027; Saturday and Sunday are then off
    assert [is_workday(dt.date(2027, 3, d)) for d in (5, 6, 7, 8)] == [True, False, False, True]


def test_a_new_rep_gets_the_onboarding_plan_when_hired(org, today):
    # when
    rep = _hire(org, "N1", TODAY)
    # then: day 1 is the hire date; the National Day holiday is skipped and the make-up
    # Saturday counts; the trainer is the team's supervisor
    assert _plan_of(rep) == [
        (dt.date(2026, 9, 28), "公司与产品知识", "S1", "planned"),
        (dt.date(2026, 9, 29), "销售流程与CRM使用", "S1", "planned"),
        (dt.date(2026, 9, 30), "电话话术演练", "S1", "planned"),
        (dt.date(2026, 10, 8), "合规与客户信息保护", "S1", "planned"),
        (dt.date(2026, 10, 9), "重点产品深入讲解", "S1", "planned"),
        (dt.date(2026, 10, 10), "需求挖掘与异议处理", "S1", "planned"),
        (dt.date(2026, 10, 13), "优秀录音复盘与模拟通话", "S1", "planned"),
        (dt.date(2026, 10, 14), "呼叫系统与工作报告填写", "S1", "planned"),
        (dt.date(2026, 10, 15), "入职考核与转正目标沟通", "S1", "planned"),
    ]
    plan = TrainingPlan.objects.get(employee=rep)
    assert (plan.start_date, plan.end_date, plan.trainer, plan.title) == (
        dt.date(2026, 9, 28),
        dt.date(2026, 10, 15),
        org.s1,
        "Onboarding of 新人N1",
    )
    invited = TrainingSession.objects.filter(plan=plan).values_list(
        "invitations__employee__employee_no", flat=True
    )
    assert list(invited) == ["N1"] * 9
    assert AuditEvent.objects.filter(action="training.onboarding.assign").count() == 1


def test_a_hire_recorded_late_within_90_days_still_gets_a_plan_from_the_hire_date(org, today):
    # when: hired 90 days before it was recorded
    rep = _hire(org, "N2", TODAY - dt.timedelta(days=90))
    # then
    assert _plan_of(rep)[0] == (dt.date(2026, 6, 30), "公司与产品知识", "S1", "planned")


def test_an_old_hire_recorded_late_is_no_new_hire(org, today):
    # when: hired 91 days before it was recorded
    rep = _hire(org, "N3", TODAY - dt.timedelta(days=91))
    # then
    assert not TrainingPlan.objects.filter(employee=rep).exists()


def test_a_non_rep_gets_no_onboarding_plan(org, today):
    # when
    supervisor = _hire(org, "N4", TODAY, role=Role.SUPERVISOR)
    # then
    assert not TrainingPlan.objects.filter(employee=supervisor).exists()


def test_onboarding_is_made_once_per_employee(org, today):
    # given
    rep = _hire(org, "N5", TODAY)
    # when: the hook runs again, and someone assigns it by hand
    onboarding_on_hire(actor=None, employee=rep)
    with pytest.raises(ValidationError, match="already has an onboarding plan"):
        onboarding_assign(actor=org.s1.user, employee=rep)
    # then
    assert TrainingPlan.objects.filter(employee=rep).count() == 1
    assert TrainingSession.objects.filter(plan__employee=rep).count() == 9


def test_without_a_calendar_for_the_year_onboarding_counts_monday_to_friday(org, today):
    # given
    today["value"] = dt.date(2027, 3, 5)
    # when: hired on a Friday
    rep = _hire(org, "N6", dt.date(2027, 3, 5))
    # then
    assert [row[0] for row in _plan_of(rep)] == [
        dt.date(2027, 3, 5),
        dt.date(2027, 3, 8),
        dt.date(2027, 3, 9),
        dt.date(2027, 3, 10),
        dt.date(2027, 3, 11),
        dt.date(2027, 3, 12),
        dt.date(2027, 3, 16),
        dt.date(2027, 3, 17),
        dt.date(2027, 3, 18),
    ]


def test_a_new_rep_is_invited_to_the_coming_sessions_of_the_team_and_the_company(org, today):
    # given: weekly T1 and company-wide plans in October, and a T2 plan
    def plan(team, title):
        return recurring_plan_create(
            actor=None,
            title=title,
            topic="selling_skills",
            team=team,
            frequency="weekly",
            weekday=4,
            start_time=dt.time(16, 0),
            duration_minutes=60,
            start_date=dt.date(2026, 9, 1),
            end_date=dt.date(2026, 10, 31),
        )

    plan(org.t1, "T1 weekly")
    plan(None, "company weekly")
    plan(org.t2, "T2 weekly")
    # when
    rep = _hire(org, "N7", TODAY)
    # then: the Fridays from the hire date on; 25 Sep and 2 Oct are holidays, moved to the
    # next working days, 28 Sep (the hire date) and 8 Oct
    sessions = TrainingSession.objects.filter(
        invitations__employee=rep, plan__kind="recurring"
    ).order_by("plan__title", "date")
    assert [(s.plan.title, s.date.isoformat()) for s in sessions] == [
        ("T1 weekly", "2026-09-28"),
        ("T1 weekly", "2026-10-08"),
        ("T1 weekly", "2026-10-09"),
        ("T1 weekly", "2026-10-16"),
        ("T1 weekly", "2026-10-23"),
        ("T1 weekly", "2026-10-30"),
        ("company weekly", "2026-09-28"),
        ("company weekly", "2026-10-08"),
        ("company weekly", "2026-10-09"),
        ("company weekly", "2026-10-16"),
        ("company weekly", "2026-10-23"),
        ("company weekly", "2026-10-30"),
    ]


# -- by hand -----------------------------------------------------------------------------------


def test_a_supervisor_assigns_onboarding_to_an_earlier_hire_from_a_start_date(org, login_en):
    # given: R1 was hired in 2025, long before the template
    client = login_en(org.s1)
    # when
    response = client.post(
        "/training/onboarding/assign/", {"employee": org.r1.pk, "start": "2026-09-28"}
    )
    # then
    plan = TrainingPlan.objects.get(employee=org.r1)
    assert response.status_code == 302
    assert response["Location"] == f"/training/plans/{plan.pk}/"
    assert plan.start_date == dt.date(2026, 9, 28)
    assert plan.sessions.count() == 9


def test_another_teams_supervisor_cannot_assign_onboarding_and_nothing_changes(org, login):
    # given
    client = login(org.s2)
    # when
    response = client.post("/training/onboarding/assign/", {"employee": org.r1.pk})
    # then: R1 is not among S2's reps
    assert response.status_code == 302
    assert TrainingPlan.objects.count() == 0
    with pytest.raises(PermissionDenied):
        onboarding_assign(actor=org.s2.user, employee=org.r1)
    assert TrainingPlan.objects.count() == 0


def test_onboarding_by_hand_is_refused_for_a_leaver_and_a_non_rep(org, english):
    # given
    employee_leave(actor=None, employee=org.r2, date=dt.date(2026, 1, 5), voluntary=True)
    org.r2.refresh_from_db()
    # when / then
    with pytest.raises(ValidationError, match="has left the company"):
        onboarding_assign(actor=org.hr.user, employee=org.r2)
    with pytest.raises(ValidationError, match="for reps only"):
        onboarding_assign(actor=org.hr.user, employee=org.s1)
    assert TrainingPlan.objects.count() == 0


# -- the template page -------------------------------------------------------------------------


def _formset(items, name="入职培训") -> dict:
    data = {
        "template": OnboardingTemplate.objects.get(is_active=True).pk,
        "name": name,
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, (day, title) in enumerate(items):
        data.update(
            {
                f"items-{index}-topic": "product_knowledge",
                f"items-{index}-title": title,
                f"items-{index}-workday": str(day),
                f"items-{index}-start_time": "09:30",
                f"items-{index}-duration_minutes": "60",
            }
        )
    return data


def test_hr_edits_the_onboarding_template_and_new_hires_get_it(org, login_en, today):
    # given
    client = login_en(org.hr)
    assert client.get("/training/templates/").status_code == 200
    # when
    response = client.post("/training/templates/", _formset([(1, "产品"), (3, "话术")]))
    rep = _hire(org, "N8", TODAY)
    # then
    assert response.status_code == 302
    template = OnboardingTemplate.objects.get(is_active=True)
    assert template.name == "入职培训"
    assert [(i.workday, i.title) for i in template.items.all()] == [(1, "产品"), (3, "话术")]
    assert [row[:2] for row in _plan_of(rep)] == [
        (dt.date(2026, 9, 28), "产品"),
        (dt.date(2026, 9, 30), "话术"),
    ]
    assert AuditEvent.objects.filter(action="training.template.save").count() == 1


def test_a_bad_template_item_is_refused_with_a_message_and_nothing_changes(org, login_en):
    # given
    client = login_en(org.admin)
    before = list(TemplateItem.objects.values_list("workday", "title"))
    # when
    response = client.post("/training/templates/", _formset([(0, "产品")]))
    # then
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert list(TemplateItem.objects.values_list("workday", "title")) == before


def test_a_copy_of_the_template_becomes_the_active_one(org, login_en):
    # given
    client = login_en(org.hr)
    # when
    client.post("/training/templates/new/", {"new-name": "2027 版"})
    copy = OnboardingTemplate.objects.get(name="2027 版")
    response = client.post(f"/training/templates/{copy.pk}/activate/")
    # then
    assert response.status_code == 302
    assert list(OnboardingTemplate.objects.filter(is_active=True)) == [copy]
    assert copy.items.count() == 9


@pytest.mark.parametrize("who", ["s1", "manager", "r1", "staff"])
def test_only_hr_and_administrators_edit_templates(org, login, who):
    # given
    client = login(getattr(org, who))
    template = OnboardingTemplate.objects.get()
    before = list(TemplateItem.objects.values_list("workday", "title"))
    # when / then
    assert client.get("/training/templates/").status_code == 404
    assert client.post("/training/templates/", _formset([(1, "x")])).status_code == 404
    assert client.post("/training/templates/new/", {"new-name": "x"}).status_code == 404
    assert client.post(f"/training/templates/{template.pk}/activate/").status_code == 404
    assert list(TemplateItem.objects.values_list("workday", "title")) == before
    assert OnboardingTemplate.objects.count() == 1
