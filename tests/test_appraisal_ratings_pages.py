"""The 360 rating pages: the rater's inbox, the rating form, who rates an appraisal, the
scorecard's ratings panel, the to-do and the menu entry; anyone out of scope gets 404 and
changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from telesales.appraisal import ratings
from telesales.appraisal.models import Rating, RatingRequest
from telesales.appraisal.views.ratings import ratings_context, ratings_todos
from telesales.core.navigation import menu_for
from tests.test_appraisal_ratings import REP_360, at, give, hire_rep  # noqa: F401
from tests.test_appraisal_ratings import rep as rep  # noqa: F401  (fixture)
from tests.test_appraisal_ratings import sup as sup  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("english")


def _ask(appraisal, rater, group, due_on=None) -> RatingRequest:
    return ratings.rating_request_add(
        actor="test", appraisal=appraisal, rater=rater, group=group, due_on=due_on
    )


def _counts() -> tuple:
    return (
        Rating.objects.count(),
        RatingRequest.objects.count(),
        RatingRequest.objects.filter(submitted_at__isnull=False).count(),
        sum(RatingRequest.objects.values_list("reminders", flat=True)),
    )


# --- the inbox --------------------------------------------------------------------------------


def test_the_inbox_lists_what_is_waiting_and_what_was_given(org, rep, login_en):
    # given R2 asked as peer (given) and C1 asked too
    given = _ask(rep, org.r2, "peer", due_on=dt.date(2026, 10, 9))
    at(rep, "rating")
    give(given, {("collaboration", ""): "4"})
    # when
    response = login_en(org.r2).get(reverse("appraisal-inbox"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing to rate." in html
    assert "张一" in html and "2026-Q3" in html and "Peer" in html


def test_the_inbox_shows_a_waiting_request_with_its_due_date_and_form(org, rep, login_en):
    # given
    request = _ask(rep, org.r2, "peer", due_on=dt.date(2026, 10, 9))
    at(rep, "rating")
    # when
    html = login_en(org.r2).get(reverse("appraisal-inbox")).content.decode()
    # then
    assert "2026-10-09" in html
    assert reverse("appraisal-rate", args=[request.pk]) in html
    assert "No ratings given yet." in html


def _inbox_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("appraisal-inbox"))  # sessions and caches warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("appraisal-inbox")).status_code == 200
    return len(queries)


def test_the_inbox_costs_the_same_queries_for_many_requests(org, rep, login):
    # given R2 asked on one appraisal
    _ask(rep, org.r2, "peer")
    one = _inbox_queries(login(org.r2))
    # when R2 is asked on four more (R3 to R6), the first one given
    from telesales.appraisal.cycles import appraisal_open

    for no in ("R4", "R5", "R6"):
        hire_rep(no, f"同事{no}", org.t1, org.s1)
    cycle, _ = appraisal_open(actor=None, scheme_code="rep-360", period_code="2026-Q3")
    for appraisal in cycle.appraisals.exclude(employee__employee_no__in=["R1", "R2"]):
        _ask(appraisal, org.r2, "peer")
    at(rep, "rating")
    give(RatingRequest.objects.get(appraisal=rep), {("collaboration", ""): "4"})
    many = _inbox_queries(login(org.r2))
    # then
    assert RatingRequest.objects.filter(rater=org.r2).count() == 5
    assert many == one


# --- the rating form ------------------------------------------------------------------------


def test_the_form_shows_each_kpi_and_dimension_with_what_it_covers(org, sup, login_en):
    # given
    request = _ask(sup, org.manager, "superior")
    at(sup, "rating")
    # when
    html = login_en(org.manager).get(reverse("appraisal-rate", args=[request.pk])).content.decode()
    # then
    assert "Internal collaboration and cross-department communication" in html
    assert "Works well with colleagues and other departments" in html
    for name in ("Responsibility", "Leadership", "Innovation"):
        assert name in html
    assert 'name="score__superior_evaluation__leadership"' in html


def test_good_ratings_are_saved_and_lead_back_to_the_inbox(org, rep, login):
    # given
    request = _ask(rep, org.r2, "peer")
    at(rep, "rating")
    # when
    response = login(org.r2).post(
        reverse("appraisal-rate", args=[request.pk]),
        {"score__collaboration__": "4.5", "comment__collaboration": "配合积极"},
    )
    # then
    assert response.status_code == 302
    assert response.url == reverse("appraisal-inbox")
    assert list(Rating.objects.values_list("kpi", "score", "comment")) == [
        ("collaboration", D("4.50"), "配合积极")
    ]


def test_bad_input_is_shown_again_with_a_message_and_nothing_is_stored(org, rep, login_en):
    # given
    request = _ask(rep, org.r2, "peer")
    at(rep, "rating")
    # when
    response = login_en(org.r2).post(
        reverse("appraisal-rate", args=[request.pk]),
        {"score__collaboration__": "7", "comment__collaboration": "很好"},
    )
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "7 given for Internal collaboration and cross-department communication is not a rating "
        "from 1 to 5." in html
    )
    assert 'value="7"' in html and "很好" in html
    assert _counts() == (0, 1, 0, 0)


@pytest.mark.parametrize("who", ["r1", "s1", "hr", "r3"])
def test_someone_elses_request_is_404_and_nothing_is_stored(org, rep, login, who):
    # given R2's request
    request = _ask(rep, org.r2, "peer")
    at(rep, "rating")
    client = login(getattr(org, who))
    url = reverse("appraisal-rate", args=[request.pk])
    # when
    shown = client.get(url)
    posted = client.post(url, {"score__collaboration__": "5"})
    # then
    assert (shown.status_code, posted.status_code) == (404, 404)
    assert _counts() == (0, 1, 0, 0)


# --- who rates ------------------------------------------------------------------------------


def test_the_rater_sees_the_suggestions_and_asks_them_all(org, rep, login_en):
    # given
    client = login_en(org.s1)
    url = reverse("appraisal-raters", args=[rep.pk])
    # when
    html = client.get(url).content.decode()
    response = client.post(url, {"action": "add_suggested", "due_on": "2026-10-09"})
    # then
    assert "Ask all 3 suggested raters" in html
    assert response.status_code == 302
    assert sorted(RatingRequest.objects.values_list("group", "rater__employee_no", "due_on")) == [
        ("department", "C1", dt.date(2026, 10, 9)),
        ("peer", "R2", dt.date(2026, 10, 9)),
        ("superior", "S1", dt.date(2026, 10, 9)),
    ]


def test_hr_adds_withdraws_and_reminds(org, rep, login_en):
    # given
    client = login_en(org.hr)
    url = reverse("appraisal-raters", args=[rep.pk])
    # when
    client.post(url, {"action": "add", "rater_no": "R2", "group": "peer"})
    request = RatingRequest.objects.get()
    reminded = client.post(url, {"action": "remind", "request": request.pk}, follow=True)
    again = client.post(url, {"action": "remind", "request": request.pk}, follow=True)
    client.post(url, {"action": "remove", "request": request.pk})
    # then
    assert "The reminder is counted; 张二 has no e-mail address." in reminded.content.decode()
    assert "张二 was already reminded today." in again.content.decode()
    assert RatingRequest.objects.count() == 0


def test_a_bad_request_to_ask_is_shown_as_a_message(org, rep, login_en):
    # when
    response = login_en(org.s1).post(
        reverse("appraisal-raters", args=[rep.pk]),
        {"action": "add", "rater_no": "R2", "group": "subordinate"},
        follow=True,
    )
    # then
    assert (
        "The scheme of this appraisal has no ratings by “Subordinate”" in response.content.decode()
    )
    assert RatingRequest.objects.count() == 0


@pytest.mark.parametrize("who", ["r1", "r2", "s2", "staff"])
def test_who_may_not_manage_raters_gets_404_and_nothing_changes(org, rep, login, who):
    # given one request waiting
    request = _ask(rep, org.r2, "peer")
    client = login(getattr(org, who))
    url = reverse("appraisal-raters", args=[rep.pk])
    before = _counts()
    # when
    shown = client.get(url)
    posts = [
        client.post(url, {"action": "add_suggested"}),
        client.post(url, {"action": "remind", "request": request.pk}),
        client.post(url, {"action": "remove", "request": request.pk}),
    ]
    # then
    assert [shown.status_code, *(p.status_code for p in posts)] == [404, 404, 404, 404]
    assert _counts() == before


# --- the scorecard panel --------------------------------------------------------------------


def _panel(user, appraisal) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("appraisal/_ratings_panel.html", ratings_context(request, appraisal))


def test_the_appraisee_page_names_no_rater(org, rep):
    # given S1, R2 and C1 rated with comments; the result published
    for rater, group in ((org.s1, "superior"), (org.r2, "peer"), (org.staff, "department")):
        _ask(rep, rater, group)
    at(rep, "rating")
    for request in RatingRequest.objects.select_related("rater__user"):
        give(request, {("collaboration", ""): "4"}, {"collaboration": f"评语{request.group}"})
    at(rep, "published")
    # when
    html = _panel(org.r1.user, rep)
    by_hr = _panel(org.hr.user, rep)
    # then
    assert "评语peer" in html and "fewer than 3 raters" in html
    for person in (org.s1, org.r2, org.staff):
        assert person.name not in html
        assert person.name in by_hr


def test_the_panel_links_the_rater_to_who_rates(org, rep):
    # when
    html = _panel(org.s1.user, rep)
    # then
    assert reverse("appraisal-raters", args=[rep.pk]) in html


# --- to-do and menu -------------------------------------------------------------------------


def test_the_todo_counts_ratings_to_give_urgent_when_due(org, rep, sup):
    # given R2 asked on R1's appraisal (due 9 October) and S1's... only R1's is being rated
    _ask(rep, org.r2, "peer", due_on=dt.date(2026, 10, 9))
    at(rep, "rating")
    # when
    before = ratings_todos(org.r2.user, dt.date(2026, 10, 8))
    due = ratings_todos(org.r2.user, dt.date(2026, 10, 9))
    nothing = ratings_todos(org.r3.user, dt.date(2026, 10, 9))
    # then
    assert [(t.label, t.url, t.urgent) for t in before] == [
        ("1 rating to give", reverse("appraisal-inbox"), False)
    ]
    assert [t.urgent for t in due] == [True]
    assert nothing == []


def test_the_menu_offers_ratings_to_give_to_anyone_with_an_employee_record(org, user_model):
    # given a superuser without an employee record
    root = user_model.objects.create_superuser("root", "root@example.com", "Root-pass-2026!")
    # when
    keys = [[e["key"] for e in menu_for(who)] for who in (org.staff.user, org.r1.user, root)]
    # then
    assert ["appraisal-ratings" in k for k in keys] == [True, True, False]
