"""The cycles pages (PRODUCT.md §6.4, §6.6): the cycle list with counts per status and the
open-a-cycle form for HR, one cycle's appraisals with scores computed on request and bulk
moves through the workflow, each page within the viewer's scope; and `--user` on
`telesales appraisal open` and `compute`."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from telesales.appraisal.cycles import appraisal_open, appraisals_compute
from telesales.appraisal.models import Appraisal, AppraisalEvent, AppraisalStatus, Cycle
from telesales.core.navigation import menu_for
from telesales.org.models import Role
from telesales.org.services import employee_hire

pytestmark = pytest.mark.usefixtures("english")

Q3 = "2026-Q3"
LIST = "/appraisal/cycles/"


def _cycle(org, scheme="rep-default", period=Q3):
    cycle, _ = appraisal_open(actor=org.hr.user, scheme_code=scheme, period_code=period)
    return cycle


def _at(appraisal: Appraisal, status: str) -> Appraisal:
    """Put the appraisal in a status (a fixture shortcut; the moves are tested elsewhere)."""
    now = timezone.now()
    Appraisal.objects.filter(pk=appraisal.pk).update(
        status=status, appraisee_agreed_at=now, rater_agreed_at=now
    )
    appraisal.refresh_from_db()
    return appraisal


def _hire_reps(org, count: int, start: int = 10):
    for number in range(start, start + count):
        employee_hire(
            actor=None,
            employee_no=f"R{number}",
            name=f"R{number}",
            role=Role.REP,
            team=org.t1,
            manager=org.s1,
            hire_date=dt.date(2025, 3, 1),
        )


# --- the menu and the list ------------------------------------------------------------------


def test_the_menu_entry_is_for_hr_admin_managers_and_supervisors(org):
    def shown(employee):
        return any(e["key"] == "appraisal-cycles" for e in menu_for(employee.user))

    assert [shown(getattr(org, w)) for w in ("hr", "admin", "manager", "s1", "r1", "staff")] == [
        True,
        True,
        True,
        True,
        False,
        False,
    ]


def test_the_list_shows_each_cycle_with_counts_per_status(org, login_en):
    # given
    cycle = _cycle(org)
    _at(cycle.appraisals.get(employee=org.r1), AppraisalStatus.RATING)
    _cycle(org, "supervisor-default", "2026-09")
    client = login_en(org.hr)
    # when
    response = client.get(LIST)
    # then
    assert response.status_code == 200
    rows = {c.period: (c.appraisal_count, c.status_counts) for c in response.context["cycles"]}
    assert rows[Q3][0] == 3
    assert [(i["status"], i["count"]) for i in rows[Q3][1]] == [("draft", 2), ("rating", 1)]
    assert rows["2026-09"][0] == 2
    html = response.content.decode()
    assert 'data-testid="cycle-open-form"' in html
    assert "Being rated 1" in html


def test_a_supervisor_sees_only_the_cycles_and_counts_of_their_scope(org, login):
    # given the rep cycle (R1, R2 in S1's team; R3 in S2's) and the supervisor cycle
    _cycle(org)
    _cycle(org, "supervisor-default", "2026-09")
    # when
    response = login(org.s2).get(LIST)
    # then S2 sees the rep cycle with R3 only, and the supervisor cycle with their own appraisal
    assert response.status_code == 200
    counts = {c.period: c.appraisal_count for c in response.context["cycles"]}
    assert counts == {Q3: 1, "2026-09": 1}
    assert response.context["form"] is None
    assert 'data-testid="cycle-open-form"' not in response.content.decode()


@pytest.mark.parametrize("who", ["r1", "staff"])
def test_reps_and_staff_get_404_on_the_cycles_pages(org, login, who):
    cycle = _cycle(org)
    client = login(getattr(org, who))
    assert client.get(LIST).status_code == 404
    assert client.get(f"{LIST}{cycle.pk}/").status_code == 404


def test_the_list_has_a_bounded_number_of_queries(org, login, django_assert_max_num_queries):
    # given two cycles, then many more appraisals
    _cycle(org)
    _cycle(org, "supervisor-default", "2026-09")
    client = login(org.manager)
    client.get(LIST)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    _hire_reps(org, 15)
    _cycle(org, period="2026-Q4")
    _cycle(org, period="2026-08")
    # when / then
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).status_code == 200


# --- opening from the page ------------------------------------------------------------------


def test_hr_opens_a_cycle_from_the_page(org, login_en):
    # given
    client = login_en(org.hr)
    # when
    response = client.post(LIST, {"scheme": "rep-default", "period": "2026-Q3"}, follow=True)
    # then
    cycle = Cycle.objects.get()
    assert (cycle.period, cycle.scheme.code, cycle.opened_by) == (Q3, "rep-default", org.hr.user)
    assert response.redirect_chain == [(f"{LIST}{cycle.pk}/", 302)]
    assert "3 appraisals opened in 2026-Q3 · rep-default." in response.content.decode()
    assert cycle.appraisals.count() == 3


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (
            "2026-09-15",
            "An appraisal cycle runs for a month, a quarter or a year, not “2026-09-15”.",
        ),
        ("Q9", None),
    ],
)
def test_a_bad_period_is_a_form_error_and_opens_nothing(org, login_en, period, message):
    # when
    response = login_en(org.hr).post(LIST, {"scheme": "rep-default", "period": period})
    # then
    assert response.status_code == 200
    errors = response.context["form"].errors["period"]
    assert len(errors) == 1
    if message is not None:
        assert errors == [message]
        assert message in response.content.decode()
    assert (Cycle.objects.count(), Appraisal.objects.count()) == (0, 0)


def test_an_unknown_scheme_is_a_form_error(org, login_en):
    response = login_en(org.hr).post(LIST, {"scheme": "nope", "period": Q3})
    assert response.status_code == 200
    assert "scheme" in response.context["form"].errors
    assert Cycle.objects.count() == 0


@pytest.mark.parametrize("who", ["manager", "s1", "r1", "staff"])
def test_only_hr_and_admin_open_a_cycle(org, login, who):
    response = login(getattr(org, who)).post(LIST, {"scheme": "rep-default", "period": Q3})
    assert response.status_code == 404
    assert (Cycle.objects.count(), Appraisal.objects.count()) == (0, 0)


def test_open_again_from_the_cycle_page_adds_new_hires_for_hr_only(org, login_en, login):
    # given
    cycle = _cycle(org)
    _hire_reps(org, 1)
    url = f"{LIST}{cycle.pk}/"
    # when a manager tries, then HR
    refused = login(org.manager).post(url, {"action": "open"})
    assert refused.status_code == 404
    assert cycle.appraisals.count() == 3
    response = login_en(org.hr).post(url, {"action": "open"}, follow=True)
    # then
    assert "1 appraisal opened in 2026-Q3 · rep-default." in response.content.decode()
    assert cycle.appraisals.count() == 4


# --- one cycle ------------------------------------------------------------------------------


def test_the_cycle_page_lists_the_appraisals_the_viewer_sees(org, login):
    # given
    cycle = _cycle(org)
    # when
    by_s1 = login(org.s1).get(f"{LIST}{cycle.pk}/")
    by_hr = login(org.hr).get(f"{LIST}{cycle.pk}/")
    # then
    assert [r["appraisal"].employee.employee_no for r in by_s1.context["rows"]] == ["R1", "R2"]
    assert [r["appraisal"].employee.employee_no for r in by_hr.context["rows"]] == [
        "R1",
        "R2",
        "R3",
    ]
    assert all(r["total"] is None and r["kind"] == "" for r in by_hr.context["rows"])


def test_a_cycle_out_of_scope_is_404(org, login):
    # given a cycle of 2024-06 holding only R10 of S1's team (everyone else was hired in 2025)
    employee_hire(
        actor=None,
        employee_no="R10",
        name="R10",
        role=Role.REP,
        team=org.t1,
        manager=org.s1,
        hire_date=dt.date(2024, 1, 2),
    )
    cycle = _cycle(org, period="2024-06")
    url = f"{LIST}{cycle.pk}/"
    # then
    assert [a.employee.employee_no for a in cycle.appraisals.all()] == ["R10"]
    assert login(org.s1).get(url).status_code == 200
    assert login(org.s2).get(url).status_code == 404
    assert login(org.s2).get(f"{url}calibration/").status_code == 404
    assert login(org.s2).post(url, {"action": "move", "to_status": "agreed"}).status_code == 404
    assert login(org.hr).get(f"{LIST}999/").status_code == 404


def test_compute_scores_on_request_shows_the_provisional_result(org, login_en):
    # given
    cycle = _cycle(org)
    client = login_en(org.hr)
    # when
    response = client.get(f"{LIST}{cycle.pk}/?compute=1")
    # then
    expected = {
        a["employee_no"]: (a["total"], a["grade"])
        for a in appraisals_compute(period_code=Q3)["appraisals"]
    }
    rows = response.context["rows"]
    assert {r["appraisal"].employee.employee_no: (r["total"], r["grade"]) for r in rows} == expected
    assert {r["kind"] for r in rows} == {"provisional"}
    assert 'data-testid="computed-note"' in response.content.decode()


def test_the_cycle_page_has_a_bounded_number_of_queries(org, login, django_assert_max_num_queries):
    # given
    cycle = _cycle(org)
    _at(cycle.appraisals.get(employee=org.r1), AppraisalStatus.RATING)
    client = login(org.hr)
    url = f"{LIST}{cycle.pk}/"
    client.get(url)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    _hire_reps(org, 12)
    appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code=Q3)
    # when / then
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 15


# --- bulk moves -----------------------------------------------------------------------------


def test_a_bulk_move_applies_to_each_and_reports_the_refused_one(org, login_en):
    # given R1 and R2 in progress, R3 still a draft
    cycle = _cycle(org)
    r1 = _at(cycle.appraisals.get(employee=org.r1), AppraisalStatus.IN_PROGRESS)
    r2 = _at(cycle.appraisals.get(employee=org.r2), AppraisalStatus.IN_PROGRESS)
    r3 = cycle.appraisals.get(employee=org.r3)
    client = login_en(org.hr)
    # when all three are moved to rating
    response = client.post(
        f"{LIST}{cycle.pk}/",
        {"action": "move", "appraisal": [r1.pk, r2.pk, r3.pk], "to_status": "rating"},
        follow=True,
    )
    # then
    html = response.content.decode()
    for appraisal in (r1, r2, r3):
        appraisal.refresh_from_db()
    assert (r1.status, r2.status, r3.status) == ("rating", "rating", "draft")
    assert (r3.version, AppraisalEvent.objects.filter(appraisal=r3).count()) == (1, 0)
    assert "2 appraisals moved to “Being rated”." in html
    assert "R3 张三: An appraisal that is “Draft” cannot be moved to “Being rated”." in html


def test_a_bulk_move_reports_a_move_the_viewer_may_not_make(org, login_en):
    # given R1's appeal to decide and R2 interviewed: M1, S1's manager, decides appeals but
    # does not close an interviewed appraisal (its rater or HR do)
    cycle = _cycle(org)
    r1 = _at(cycle.appraisals.get(employee=org.r1), AppraisalStatus.APPEALED)
    r2 = _at(cycle.appraisals.get(employee=org.r2), AppraisalStatus.INTERVIEWED)
    client = login_en(org.manager)
    url = f"{LIST}{cycle.pk}/"
    assert [
        c for c, _label in client.get(url).context["move_form"].fields["to_status"].choices
    ] == ["closed"]
    # when
    response = client.post(
        url,
        {"action": "move", "appraisal": [r1.pk, r2.pk], "to_status": "closed", "reason": "维持"},
        follow=True,
    )
    # then
    r1.refresh_from_db()
    r2.refresh_from_db()
    assert (r1.status, r2.status, r2.version) == ("closed", "interviewed", 1)
    html = response.content.decode()
    assert "R2 张二: You may not move this appraisal from “Interviewed” to “Closed”." in html
    assert "1 appraisal moved to “Closed”." in html


def test_a_bulk_reopening_needs_a_reason_and_publishing_all_freezes_each(org, login_en):
    # given two appraisals in rating
    cycle = _cycle(org)
    r1 = _at(cycle.appraisals.get(employee=org.r1), AppraisalStatus.RATING)
    r2 = _at(cycle.appraisals.get(employee=org.r2), AppraisalStatus.RATING)
    client = login_en(org.hr)
    url = f"{LIST}{cycle.pk}/"
    # when all are published, then reopened without a reason
    client.post(url, {"action": "move", "appraisal": [r1.pk, r2.pk], "to_status": "published"})
    response = client.post(
        url, {"action": "move", "appraisal": [r1.pk], "to_status": "rating"}, follow=True
    )
    # then
    r1.refresh_from_db()
    r2.refresh_from_db()
    assert (r1.status, r2.status) == ("published", "published")
    assert (r1.snapshots.count(), r2.snapshots.count()) == (1, 1)
    assert "Give a reason to move the appraisal from “Published” to “Being rated”." in (
        response.content.decode()
    )
    # and the published total and grade are shown from the snapshot
    page = client.get(url)
    assert {r["kind"] for r in page.context["rows"] if r["appraisal"].pk in (r1.pk, r2.pk)} == {
        "published"
    }


def test_a_bulk_move_of_appraisals_out_of_scope_changes_nothing(org, login):
    # given R3 (team T2) in progress; S1 leads T1 only
    cycle = _cycle(org)
    r3 = _at(cycle.appraisals.get(employee=org.r3), AppraisalStatus.IN_PROGRESS)
    # when
    response = login(org.s1).post(
        f"{LIST}{cycle.pk}/", {"action": "move", "appraisal": [r3.pk], "to_status": "rating"}
    )
    # then the form refuses a choice that is not on the page
    assert response.status_code == 200
    r3.refresh_from_db()
    assert (r3.status, r3.version) == ("in_progress", 1)


# --- the command line -----------------------------------------------------------------------


def _run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("appraisal", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_command_open_as_hr(org):
    assert _run("open", "--scheme", "rep-default", "--period", Q3, "--user", "h1") == (
        0,
        "Cycle 2026-Q3 · rep-default: 3 appraisals created.\n",
        "",
    )
    assert Cycle.objects.get().opened_by == org.hr.user


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ("m1", "Only HR and administrators open appraisal cycles."),
        ("r1", "Only HR and administrators open appraisal cycles."),
        ("nobody", "There is no user nobody."),
    ],
)
def test_command_open_refuses_other_users_with_exit_1(org, user, message):
    assert _run("open", "--scheme", "rep-default", "--period", Q3, "--user", user) == (
        1,
        "",
        message + "\n",
    )
    assert (Cycle.objects.count(), Appraisal.objects.count()) == (0, 0)


def test_command_compute_as_a_user_shows_only_what_they_see(org):
    # given
    _cycle(org)
    # when
    code, out, err = _run("compute", "--period", Q3, "--json", "--user", "s1")
    _code, everyone, _err = _run("compute", "--period", Q3, "--json")
    # then
    payload = json.loads(out)
    assert (code, err) == (0, "")
    assert [a["employee_no"] for a in payload["appraisals"]] == ["R1", "R2"]
    full = json.loads(everyone)
    assert payload["appraisals"] == [
        a for a in full["appraisals"] if a["employee_no"] in {"R1", "R2"}
    ]
    assert [
        a["employee_no"]
        for a in json.loads(_run("compute", "--period", Q3, "--json", "--user", "r3")[1])[
            "appraisals"
        ]
    ] == ["R3"]
    assert json.loads(_run("compute", "--period", Q3, "--json", "--user", "h1")[1]) == full


def test_command_compute_with_an_unknown_user_or_scheme_exits_1(org):
    assert _run("compute", "--period", Q3, "--user", "nobody") == (
        1,
        "",
        "There is no user nobody.\n",
    )
    assert _run("compute", "--period", Q3, "--user", "h1", "--scheme", "nope")[0] == 1
