"""The demo step of work reports: three months of every demo supervisor's reports, most on
time, some late, one or two missing, one returned and submitted again, most rated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from telesales.core.demo import DemoContext
from telesales.org.demo import demo_build
from telesales.people.workreports.demo import demo_workreports
from telesales.people.workreports.models import WorkReport, WorkReportEvent
from telesales.people.workreports.schedule import LATE, MISSING, ON_TIME, reports_due

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def demo(db, settings):
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_build(today=TODAY)
    return demo_workreports(DemoContext(today=TODAY, seed=7))


def test_the_demo_writes_three_months_of_reports(demo):
    # given
    items = reports_due(first=TODAY - dt.timedelta(days=91), last=TODAY - dt.timedelta(days=1))
    now = timezone.make_aware(dt.datetime.combine(TODAY, dt.time()))
    states = [item.state(now) for item in items]
    # then: every demo supervisor, mostly on time, a few late, one or two missing
    assert {item.author.employee_no for item in items} == {"S001", "S002", "S003"}
    assert states.count(MISSING) in {1, 2}
    assert 1 <= states.count(LATE) <= len(items) // 4
    assert states.count(ON_TIME) >= len(items) * 2 // 3
    assert states.count(ON_TIME) + states.count(LATE) + states.count(MISSING) == len(items)
    # one returned and submitted again, keeping its first submission time
    returned = WorkReport.objects.filter(events__kind="returned").distinct()
    assert returned.count() == 1
    report = returned.get()
    assert report.status == "submitted"
    assert report.first_submitted_at < report.submitted_at
    # most rated by the supervisor's manager
    rated = WorkReport.objects.filter(rating__isnull=False).select_related("author", "rater")
    submitted = WorkReport.objects.filter(first_submitted_at__isnull=False).count()
    assert rated.count() >= submitted * 3 // 4
    assert {r.rater_id for r in rated} == {r.author.manager_id for r in rated}
    # and this week's report as a draft
    assert WorkReport.objects.filter(status="draft").count() == 1
    assert demo.startswith("Work reports: ")


def test_the_demo_step_runs_once(demo):
    # given
    counts = (WorkReport.objects.count(), WorkReportEvent.objects.count())
    # when
    again = demo_workreports(DemoContext(today=TODAY, seed=7))
    # then
    assert again == ""
    assert (WorkReport.objects.count(), WorkReportEvent.objects.count()) == counts


def test_the_demo_does_nothing_without_supervisors(db):
    assert demo_workreports(DemoContext(today=TODAY, seed=7)) == ""
    assert not WorkReport.objects.exists()
