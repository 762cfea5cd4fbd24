"""The work-report pages (issue 6): my reports, writing and submitting, a report with its
moves and rating, and the superior's inbox — each in scope (PRODUCT.md §2), anything else a
404 that changes nothing; bad input answered with a message and nothing stored; list pages
cost the same queries however many reports they show."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.core.navigation import menu_for
from telesales.org.models import Role
from telesales.org.services import team_ensure, team_set_supervisor
from telesales.people.workreports.models import WorkReport, WorkReportEvent
from telesales.people.workreports.schedule import period_containing
from telesales.people.workreports.services import report_rate, report_save
from tests.conftest import _person

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FULL = {
    "summary": "外呼2000通，成交8单。",
    "problems": "新人话术不熟。",
    "actions": "话术演练两次。",
    "plan": "下周成交10单。",
    "support": "",
}
Q1 = "?period=2026-Q1"


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def _write(author, start, at, *, kind="weekly", submit=True, sections=FULL):
    return report_save(
        actor=author.user,
        author=author,
        kind=kind,
        period_start=dt.date.fromisoformat(start),
        sections=sections,
        submit=submit,
        at=_at(at),
    )


def _state() -> tuple:
    rows = list(
        WorkReport.objects.order_by("pk").values_list(
            "author_id",
            "status",
            "summary",
            "problems",
            "rating",
            "rating_comment",
            "return_reason",
            "first_submitted_at",
        )
    )
    return rows, WorkReportEvent.objects.count(), AuditEvent.objects.count()


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def world(org):
    """S1: W10 (2–8 March 2026) submitted on time, W11 a draft. S2: W10 submitted late."""
    org.w10 = _write(org.s1, "2026-03-02", "2026-03-08T20:00")
    org.w11 = _write(
        org.s1, "2026-03-09", "2026-03-13T18:00", submit=False, sections={"summary": "草稿"}
    )
    org.s2_w10 = _write(org.s2, "2026-03-02", "2026-03-10T09:00")
    return org


# --- my reports -------------------------------------------------------------------------------


def test_my_reports_lists_the_due_schedule_with_each_state(world, login_en):
    # when
    response = login_en(world.s1).get(f"/workreports/{Q1}")
    # then: 13 weekly and 3 monthly reports fall due in 2026-Q1; only W10 was on time
    assert response.status_code == 200
    rows = [(r["item"].period.code, r["state"]) for r in response.context["rows"]]
    assert len(rows) == 16
    assert rows[:2] == [("2025-12", "missing"), ("2026-W01", "missing")]
    assert ("2026-W10", "on_time") in rows
    assert ("2026-W11", "missing") in rows  # a draft past its due time is missing
    assert (response.context["on_time"], response.context["due"]) == (1, 16)
    text = _text(response)
    assert "Submitted on time" in text
    assert "2026-03-09 10:00" in text  # W10's due time


def test_my_reports_offers_the_report_being_written_now(world, login_en):
    # given: this week's report, not yet due
    week = period_containing("weekly", timezone.localdate())
    # when
    response = login_en(world.s1).get("/workreports/")
    # then
    states = {(r["item"].kind, r["item"].period.code): r for r in response.context["rows"]}
    row = states[("weekly", week.code)]
    assert row["state"] == "not_started"
    assert row["editable"] is True
    assert (
        f'href="/workreports/write/weekly/{week.start.isoformat()}/"' in response.content.decode()
    )


@pytest.mark.parametrize("who", ["r1", "manager", "hr", "staff", "admin"])
def test_my_reports_is_for_supervisors_only(world, login, who):
    assert login(getattr(world, who)).get("/workreports/").status_code == 404


# --- writing ----------------------------------------------------------------------------------


def test_writing_a_draft_then_submitting_it_late(world, login_en):
    # given
    client = login_en(world.s1)
    url = "/workreports/write/weekly/2026-03-16/"
    # when: a draft, then the submission (long after its due time, 23 March 10:00)
    page = client.get(url)
    draft = client.post(url, {"summary": "初稿", "save": "1"})
    report = WorkReport.objects.get(author=world.s1, period_start=dt.date(2026, 3, 16))
    submitted = client.post(url, {**FULL, "submit": "1"}, follow=True)
    # then
    assert page.status_code == 200
    assert "2026-03-23 10:00" in _text(page)
    assert draft.status_code == 302
    assert draft["Location"] == f"/workreports/{report.pk}/"
    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.summary == FULL["summary"]
    assert "The report for 2026-W12 was submitted." in _messages(submitted)
    assert submitted.context["row"]["state"] == "late"
    assert "Submitted late" in _text(submitted)


def test_submitting_with_empty_sections_says_which_and_stores_nothing(world, login_en):
    # given
    client = login_en(world.s1)
    before = _state()
    # when
    response = client.post(
        "/workreports/write/weekly/2026-03-16/", {**FULL, "actions": "", "submit": "1"}
    )
    # then: the form comes back with the text typed, and nothing is stored
    assert response.status_code == 200
    assert _messages(response) == ["Fill in these sections before submitting: Actions taken."]
    assert FULL["summary"] in response.content.decode()
    assert _state() == before


def test_editing_after_submission_is_refused(world, login_en):
    # given
    client = login_en(world.s1)
    before = _state()
    # when
    page = client.get("/workreports/write/weekly/2026-03-02/", follow=True)
    post = client.post(
        "/workreports/write/weekly/2026-03-02/",
        {**FULL, "summary": "改过", "save": "1"},
        follow=True,
    )
    # then
    for response in (page, post):
        assert response.redirect_chain[-1][0] == f"/workreports/{world.w10.pk}/"
        assert _messages(response)[0].startswith("This report has been submitted and can no longer")
    assert _state() == before


@pytest.mark.parametrize(
    "url",
    [
        "/workreports/write/daily/2026-03-02/",
        "/workreports/write/weekly/2026-03-03/",
        "/workreports/write/weekly/2026-13-01/",
        "/workreports/write/monthly/2999-01-01/",
        "/workreports/write/weekly/2024-06-03/",  # before S1 was hired
    ],
)
def test_no_page_for_a_report_that_cannot_be_written(world, login, url):
    # given
    client = login(world.s1)
    before = _state()
    # when / then
    assert client.get(url).status_code == 404
    assert client.post(url, {**FULL, "submit": "1"}).status_code == 404
    assert _state() == before


@pytest.mark.parametrize("who", ["r1", "manager", "hr", "staff", "admin"])
def test_only_supervisors_write(world, login, who):
    # given
    client = login(getattr(world, who))
    before = _state()
    # when / then
    url = "/workreports/write/weekly/2026-03-16/"
    assert client.get(url).status_code == 404
    assert client.post(url, {**FULL, "submit": "1"}).status_code == 404
    assert _state() == before


# --- one report -------------------------------------------------------------------------------

SEES_SUBMITTED = {"s1", "manager", "hr", "admin"}


@pytest.mark.parametrize("who", ["s1", "s2", "manager", "hr", "admin", "r1", "r3", "staff"])
def test_a_report_page_follows_scope(world, login, who):
    # given
    client = login(getattr(world, who))
    # when
    submitted = client.get(f"/workreports/{world.w10.pk}/")
    draft = client.get(f"/workreports/{world.w11.pk}/")
    # then: S2 never sees S1's; a draft is the author's alone
    assert submitted.status_code == (200 if who in SEES_SUBMITTED else 404)
    assert draft.status_code == (200 if who == "s1" else 404)


def test_the_report_page_shows_the_sections_and_the_moves(world, login_en):
    # when
    author = login_en(world.s1).get(f"/workreports/{world.w11.pk}/")
    manager = login_en(world.manager).get(f"/workreports/{world.w10.pk}/")
    # then
    assert author.context["can_submit"] and author.context["can_edit"]
    assert author.context["rate_form"] is None
    assert "Summary of results" in _text(author)
    assert manager.context["can_return"] and manager.context["rate_form"] is not None
    assert not manager.context["can_submit"]


def test_submitting_a_draft_with_empty_sections_from_its_page(world, login_en):
    # given
    before = _state()
    # when
    response = login_en(world.s1).post(f"/workreports/{world.w11.pk}/submit/", follow=True)
    # then
    assert _messages(response) == [
        "Fill in these sections before submitting: Problems and causes, Actions taken, "
        "Plan for the next period."
    ]
    assert _state() == before


@pytest.mark.parametrize("who", ["s2", "manager", "hr", "r1", "staff"])
def test_nobody_else_submits_a_draft(world, login, who):
    before = _state()
    response = login(getattr(world, who)).post(f"/workreports/{world.w11.pk}/submit/")
    assert response.status_code == 404
    assert _state() == before


def test_the_manager_returns_a_report_with_a_reason(world, login_en):
    # given
    client = login_en(world.manager)
    before = _state()
    # when
    empty = client.post(f"/workreports/{world.w10.pk}/return/", {"reason": " "}, follow=True)
    unchanged = _state()
    done = client.post(
        f"/workreports/{world.w10.pk}/return/", {"reason": "请补充数据"}, follow=True
    )
    # then
    assert _messages(empty) == ["Say why the report is returned, so its author can revise it."]
    assert unchanged == before
    world.w10.refresh_from_db()
    assert (world.w10.status, world.w10.return_reason) == ("returned", "请补充数据")
    assert "The report was returned to its author for revision." in _messages(done)
    # the author now edits it again from the write page
    assert login_en(world.s1).get("/workreports/write/weekly/2026-03-02/").status_code == 200


@pytest.mark.parametrize("who", ["s1", "s2", "r1", "staff"])
def test_only_the_superior_returns(world, login, who):
    before = _state()
    response = login(getattr(world, who)).post(
        f"/workreports/{world.w10.pk}/return/", {"reason": "改"}
    )
    assert response.status_code == 404
    assert _state() == before


def test_the_manager_rates_from_the_inbox_and_comes_back_to_it(world, login_en):
    # given
    client = login_en(world.manager)
    inbox = f"/workreports/inbox/{Q1}&status=awaiting_rating"
    # when
    response = client.post(
        f"/workreports/{world.w10.pk}/rate/", {"rating": "4", "next": inbox}, follow=False
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == inbox
    world.w10.refresh_from_db()
    assert (world.w10.rating, world.w10.rater) == (4, world.manager)


def test_a_rating_with_a_comment_from_the_report_page(world, login_en):
    # when
    response = login_en(world.hr).post(
        f"/workreports/{world.w10.pk}/rate/",
        {"rating": "5", "comment": "分析透彻", "next": "https://evil.example/"},
        follow=True,
    )
    # then: an outside address is not followed
    assert response.redirect_chain[-1][0] == f"/workreports/{world.w10.pk}/"
    assert _messages(response) == ["李主管's report for 2026-W10 was rated 5."]
    world.w10.refresh_from_db()
    assert (world.w10.rating, world.w10.rating_comment, world.w10.rater) == (
        5,
        "分析透彻",
        world.hr,
    )


@pytest.mark.parametrize("rating", ["0", "6", "x", ""])
def test_a_rating_outside_1_to_5_is_refused_on_the_page(world, login_en, rating):
    # given
    before = _state()
    # when
    response = login_en(world.manager).post(
        f"/workreports/{world.w10.pk}/rate/", {"rating": rating}, follow=True
    )
    # then
    expected = (
        "Choose a rating from 1 to 5."
        if rating == ""
        else ("A quality rating is a whole number from 1 to 5.")
    )
    assert _messages(response) == [expected]
    assert _state() == before


def test_a_returned_report_cannot_be_rated_until_submitted_again(world, login_en):
    # given
    client = login_en(world.manager)
    client.post(f"/workreports/{world.w10.pk}/return/", {"reason": "请补充"}, follow=True)
    before = _state()
    # when
    response = client.post(f"/workreports/{world.w10.pk}/rate/", {"rating": "3"}, follow=True)
    # then
    assert _messages(response) == ["Only a submitted report can be rated."]
    assert _state() == before


@pytest.mark.parametrize("who", ["s1", "s2", "r1", "r3", "staff"])
def test_only_the_superior_hr_or_admin_rate_on_the_page(world, login, who):
    before = _state()
    response = login(getattr(world, who)).post(
        f"/workreports/{world.w10.pk}/rate/", {"rating": "5"}
    )
    assert response.status_code == 404
    assert _state() == before


def test_get_is_not_a_move(world, login):
    client = login(world.manager)
    for action in ("submit", "return", "rate"):
        assert client.get(f"/workreports/{world.w10.pk}/{action}/").status_code == 405


# --- the inbox --------------------------------------------------------------------------------


def _inbox_rows(response) -> set[tuple[str, str, str]]:
    assert response.status_code == 200
    return {
        (r["author"].employee_no, r["item"].period.code, r["state"])
        for r in response.context["rows"]
    }


@pytest.mark.parametrize("who", ["manager", "hr", "admin"])
def test_the_inbox_shows_the_supervisors_reports(world, login, who):
    # when
    response = login(getattr(world, who)).get(f"/workreports/inbox/{Q1}&status=awaiting_rating")
    # then
    assert _inbox_rows(response) == {("S1", "2026-W10", "on_time"), ("S2", "2026-W10", "late")}
    overview = {row.author.employee_no: row for row in response.context["overview"]}
    assert set(overview) == {"S1", "S2"}
    assert (overview["S1"].due, overview["S1"].on_time, overview["S1"].missing) == (16, 1, 15)
    assert (overview["S2"].due, overview["S2"].on_time, overview["S2"].late) == (16, 0, 1)


@pytest.mark.parametrize("who", ["s1", "s2", "r1", "staff"])
def test_the_inbox_is_refused_to_others(world, login, who):
    assert login(getattr(world, who)).get("/workreports/inbox/").status_code == 404


def test_the_inbox_filters_by_status_and_supervisor(world, login_en):
    # given
    client = login_en(world.manager)
    report_rate(actor=world.manager.user, report=world.w10, rating=4)
    # when
    late = client.get(f"/workreports/inbox/{Q1}&status=late")
    rated = client.get(f"/workreports/inbox/{Q1}&status=rated")
    mine = client.get(f"/workreports/inbox/{Q1}&status=missing&author={world.s2.pk}")
    bad = client.get("/workreports/inbox/?period=2026-13&status=nonsense")
    # then
    assert _inbox_rows(late) == {("S2", "2026-W10", "late")}
    assert _inbox_rows(rated) == {("S1", "2026-W10", "on_time")}
    assert {no for no, _code, _s in _inbox_rows(mine)} == {"S2"}
    assert len(_inbox_rows(mine)) == 15
    overview = {row.author.employee_no: row for row in rated.context["overview"]}
    assert (overview["S1"].rated, overview["S1"].quality) == (1, 4)
    assert bad.status_code == 200
    assert "period" in bad.context["form"].errors


def test_the_inbox_of_a_second_manager_holds_only_their_line(world, login):
    # given: a second manager with their own supervisor S3 (T3)
    m2 = _person("M2", "钱经理", Role.MANAGER, department=world.sales)
    t3 = team_ensure(actor=None, code="T3", department=world.sales, name="三组")
    s3 = _person("S3", "孙主管", Role.SUPERVISOR, team=t3, manager=m2)
    team_set_supervisor(actor=None, team=t3, supervisor=s3)
    s3_w10 = _write(s3, "2026-03-02", "2026-03-08T09:00")
    # when
    response = login(m2).get(f"/workreports/inbox/{Q1}")
    # then
    assert {no for no, _c, _s in _inbox_rows(response)} == {"S3"}
    assert login(m2).get(f"/workreports/{world.w10.pk}/").status_code == 404
    assert login(world.manager).get(f"/workreports/{s3_w10.pk}/").status_code == 404


# --- menu, to-dos, profile link ---------------------------------------------------------------


def test_menu_entries(world):
    def keys(who):
        return {entry["key"] for entry in menu_for(getattr(world, who).user)}

    assert "workreports-mine" in keys("s1") and "workreports-inbox" not in keys("s1")
    assert "workreports-inbox" in keys("manager") and "workreports-mine" not in keys("manager")
    assert "workreports-inbox" in keys("hr")
    assert not {"workreports-mine", "workreports-inbox"} & (keys("r1") | keys("staff"))


def test_the_start_page_lists_overdue_reports_and_ratings_to_give(world, login_en):
    # when: S1 has written nothing due this quarter; the manager has two reports to rate
    supervisor = _text(login_en(world.s1).get("/"))
    manager = _text(login_en(world.manager).get("/"))
    # then
    assert re.search(r"\d+ work reports? (is|are) overdue", supervisor)
    assert "2 work reports await your quality rating." in manager


def test_the_profile_of_a_supervisor_links_to_their_reports(world, login):
    response = login(world.manager).get(f"/people/{world.s1.pk}/")
    assert f'href="/workreports/inbox/?author={world.s1.pk}"' in response.content.decode()


# --- queries ----------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _fill_quarter(author, rater=None):
    """Every weekly and monthly report of 2026-Q1 the author has not written, on time."""
    monday = dt.date(2025, 12, 29)
    written = set(WorkReport.objects.filter(author=author).values_list("kind", "period_start"))
    starts = [("weekly", monday + dt.timedelta(weeks=n)) for n in range(13)]
    starts += [("monthly", dt.date(2025, 12, 1)), ("monthly", dt.date(2026, 1, 1))]
    starts += [("monthly", dt.date(2026, 2, 1))]
    for kind, start in starts:
        if (kind, start) in written:
            continue
        at = f"{start + dt.timedelta(days=6 if kind == 'weekly' else 29)}T20:00"
        report = _write(author, start.isoformat(), at, kind=kind)
        if rater is not None:
            report_rate(actor=rater.user, report=report, rating=4)


def test_my_reports_costs_the_same_queries_however_many_reports(
    world, login, django_assert_max_num_queries
):
    # given
    client = login(world.s1)
    url = f"/workreports/{Q1}"
    _queries(client, url)
    few = _queries(client, url)
    # when
    _fill_quarter(world.s1, rater=world.manager)
    # then
    with django_assert_max_num_queries(25):
        many = _queries(client, url)
    assert many == few
    assert WorkReport.objects.filter(author=world.s1).count() == 16


def test_the_inbox_costs_the_same_queries_however_many_reports(
    world, login, django_assert_max_num_queries
):
    # given
    client = login(world.manager)
    url = f"/workreports/inbox/{Q1}"
    _queries(client, url)
    few = _queries(client, url)
    # when: every report written and rated, and a third supervisor under the manager
    t3 = team_ensure(actor=None, code="T3", department=world.sales, name="三组")
    s3 = _person("S3", "孙主管", Role.SUPERVISOR, team=t3, manager=world.manager)
    team_set_supervisor(actor=None, team=t3, supervisor=s3)
    for author in (world.s1, world.s2, s3):
        _fill_quarter(author, rater=world.manager)
    # then
    with django_assert_max_num_queries(25):
        many = _queries(client, url)
    assert many == few
    assert len(client.get(url).context["rows"]) == 48
