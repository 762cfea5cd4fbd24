"""The recognition and reward/penalty ledger (source §2.2.4): append-only entries, reversals,
totals per person and team, the recognition wall, bad inputs and scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.core.periods import period_parse
from telesales.org.models import Role
from telesales.org.services import employee_transfer
from telesales.people.morale import selectors
from telesales.people.morale.models import LedgerEntry
from telesales.people.morale.services import ledger_entry_grant, ledger_entry_reverse
from tests.conftest import _person

pytestmark = pytest.mark.usefixtures("english")

Kind = LedgerEntry.Kind
MARCH = period_parse("2026-03")


def _grant(
    actor,
    employee,
    kind=Kind.RECOGNITION,
    *,
    day="2026-03-10",
    points=0,
    amount=None,
    reason="好样的",
):
    return ledger_entry_grant(
        actor=actor.user if hasattr(actor, "user") else actor,
        employee=employee,
        kind=kind,
        reason=reason,
        date=dt.date.fromisoformat(day),
        points=points,
        amount=amount,
    )


@pytest.fixture
def ledger(org):
    """March 2026, granted by S1 (T1) and S2 (T2):
    R1: recognition 10 pts (3 Mar); reward 20 pts + 500 CNY (10 Mar); penalty 5 pts + 100 CNY
        (20 Mar).
    R2: recognition 5 pts (5 Mar); reward 300 CNY (12 Mar), reversed (it was meant for R1).
    R3: recognition 8 pts (6 Mar); penalty 50 CNY (25 Mar).
    R1 in February: recognition 7 pts (outside March)."""
    _grant(org.s1, org.r1, day="2026-03-03", points=10, reason="R1 本周通话数第一")
    _grant(
        org.s1,
        org.r1,
        Kind.REWARD,
        day="2026-03-10",
        points=20,
        amount=D("500"),
        reason="R1 月度销冠",
    )
    _grant(
        org.s1,
        org.r1,
        Kind.PENALTY,
        day="2026-03-20",
        points=5,
        amount=D("100"),
        reason="R1 迟到三次",
    )
    _grant(org.s1, org.r2, day="2026-03-05", points=5, reason="R2 帮助新人")
    mistaken = _grant(
        org.s1, org.r2, Kind.REWARD, day="2026-03-12", amount=D("300"), reason="R2 冲刺奖"
    )
    ledger_entry_reverse(actor=org.s1.user, entry=mistaken, reason="发错人了")
    _grant(org.s2, org.r3, day="2026-03-06", points=8, reason="R3 客户表扬")
    _grant(org.s2, org.r3, Kind.PENALTY, day="2026-03-25", amount=D("50"), reason="R3 记录不全")
    _grant(org.s1, org.r1, day="2026-02-20", points=7, reason="R1 二月表扬")
    org.mistaken = mistaken
    return org


# -- granting -----------------------------------------------------------------------------------


def test_a_grant_is_stored_with_the_team_of_its_day_and_audited(org):
    # given R1 moves from T1 to T2 on 16 March
    employee_transfer(actor=None, employee=org.r1, team=org.t2, date=dt.date(2026, 3, 16))
    # when S2 (R1's supervisor now) rewards R1 for 10 March
    entry = _grant(org.s2, org.r1, Kind.REWARD, day="2026-03-10", points=20, amount="500.5")
    # then the entry counts for T1, where R1 was on 10 March
    entry.refresh_from_db()
    assert (entry.kind, entry.points, entry.amount, entry.team_id) == (
        "reward",
        20,
        D("500.50"),
        org.t1.pk,
    )
    assert entry.granted_by == org.s2.user
    audit = AuditEvent.objects.get(action="morale.ledger_grant")
    assert audit.actor == org.s2.user
    assert audit.after["amount"] == "500.50"


def test_a_reversal_negates_the_entry_names_it_and_nets_it_out_of_every_total(org):
    # given
    entry = _grant(org.s1, org.r1, Kind.REWARD, points=20, amount=D("500"), reason="销冠")
    # when
    reversal = ledger_entry_reverse(actor=org.s1.user, entry=entry, reason="录错了")
    # then the entry is untouched and the reversal cancels it
    entry.refresh_from_db()
    assert (entry.points, entry.amount, entry.reason) == (20, D("500.00"), "销冠")
    assert (reversal.reverses, reversal.kind, reversal.points, reversal.amount) == (
        entry,
        "reward",
        -20,
        D("-500.00"),
    )
    assert reversal.date == entry.date and reversal.reason == "录错了"
    totals = selectors.ledger_totals(LedgerEntry.objects.all())
    assert (totals["rewards"], totals["points"], totals["reward_amount"]) == (0, 0, D(0))
    assert AuditEvent.objects.filter(action="morale.ledger_reverse").count() == 1


def test_an_entry_is_reversed_once_and_a_reversal_never(org):
    # given
    entry = _grant(org.s1, org.r1, points=10)
    reversal = ledger_entry_reverse(actor=org.s1.user, entry=entry, reason="录错了")
    # when / then
    with pytest.raises(ValidationError) as again:
        ledger_entry_reverse(actor=org.s1.user, entry=entry, reason="再冲一次")
    assert again.value.messages == [f"Entry #{entry.pk} has already been reversed."]
    with pytest.raises(ValidationError) as twice:
        ledger_entry_reverse(actor=org.s1.user, entry=reversal, reason="冲销冲销")
    assert twice.value.messages == [
        f"Entry #{reversal.pk} is itself a reversal and cannot be reversed."
    ]
    assert LedgerEntry.objects.count() == 2


@pytest.mark.parametrize(
    ("kind", "day", "points", "amount", "reason", "message"),
    [
        ("recognition", "tomorrow", 5, None, "好", "The date cannot be in the future."),
        ("reward", "2026-03-10", 0, "abc", "好", "The amount must be a number."),
        ("reward", "2026-03-10", 0, "-5", "好", "The amount cannot be negative."),
        ("reward", "2026-03-10", 0, "1.005", "好", "The amount has at most two decimals."),
        ("reward", "2026-03-10", "x", None, "好", "Points must be a whole number."),
        ("penalty", "2026-03-10", -3, None, "好", "Points cannot be negative."),
        ("reward", "2026-03-10", 0, None, "好", "A reward or penalty needs points or an amount."),
        (
            "recognition",
            "2026-03-10",
            5,
            "100",
            "好",
            "A recognition carries no money; record a reward for an amount.",
        ),
        ("recognition", "2026-03-10", 5, None, "  ", "The reason is required."),
        ("recognition", "2024-12-31", 5, None, "好", "张一 was not employed on 2024-12-31."),
        ("bonus", "2026-03-10", 5, None, "好", "“bonus” is not a kind of entry."),
    ],
)
def test_bad_inputs_are_refused_with_a_message_and_nothing_stored(
    org, kind, day, points, amount, reason, message
):
    # given
    if day == "tomorrow":
        day = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    # when
    with pytest.raises(ValidationError) as error:
        _grant(org.s1, org.r1, kind, day=day, points=points, amount=amount, reason=reason)
    # then
    assert error.value.messages == [message]
    assert LedgerEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="morale.").exists()


@pytest.mark.parametrize("who", ["r1", "s2", "staff", "self"])
def test_only_the_line_hr_and_admin_grant_and_never_to_themselves(org, who):
    # given
    actor, employee = {
        "r1": (org.r1, org.r2),
        "s2": (org.s2, org.r1),
        "staff": (org.staff, org.r1),
        "self": (org.s1, org.s1),
    }[who]
    # when / then
    with pytest.raises(PermissionDenied):
        _grant(actor, employee, points=5)
    assert LedgerEntry.objects.count() == 0


def test_the_line_hr_and_admin_grant(org):
    # when
    for actor in (org.s1, org.manager, org.hr, org.admin):
        _grant(actor, org.r1, points=1)
    # then
    assert LedgerEntry.objects.filter(employee=org.r1).count() == 4


# -- totals -------------------------------------------------------------------------------------


def test_totals_per_person_and_team_for_a_period(ledger):
    # when
    entries = LedgerEntry.objects.filter(date__gte=MARCH.start, date__lte=MARCH.end)
    people = {
        row["employee__employee_no"]: row for row in selectors.ledger_totals_by_person(entries)
    }
    teams = {row["team__code"]: row for row in selectors.ledger_totals_by_team(entries)}

    def shown(row):
        return (
            row["recognitions"],
            row["rewards"],
            row["penalties"],
            row["points"],
            row["reward_amount"],
            row["penalty_amount"],
            row["net_amount"],
        )

    # then R1: 10 + 20 − 5 points; 500 CNY rewards, 100 CNY penalties (February left out)
    assert shown(people["R1"]) == (1, 1, 1, 25, D(500), D(100), D(400))
    # R2: the reversed reward counts nowhere
    assert shown(people["R2"]) == (1, 0, 0, 5, D(0), D(0), D(0))
    assert shown(people["R3"]) == (1, 0, 1, 8, D(0), D(50), D(-50))
    assert shown(teams["T1"]) == (2, 1, 1, 30, D(500), D(100), D(400))
    assert shown(teams["T2"]) == (1, 0, 1, 8, D(0), D(50), D(-50))


# -- pages --------------------------------------------------------------------------------------


def test_the_ledger_page_shows_totals_entries_and_the_reversal(ledger, login_en):
    # given
    client = login_en(ledger.s1)
    # when
    response = client.get("/morale/ledger/?period=2026-03")
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "R1 月度销冠" in page and "R2 帮助新人" in page
    assert "R3 客户表扬" not in page  # T2 is not S1's
    assert "R1 二月表扬" not in page  # February
    assert f"Reverses entry #{ledger.mistaken.pk}." in page
    assert f"Reversed by entry #{ledger.mistaken.pk + 1}." in page
    assert 'data-testid="total-points">30<' in page


@pytest.mark.parametrize(
    ("who", "sees", "hidden"),
    [
        ("r1", ["R1 月度销冠", "R1 迟到三次"], ["R2 帮助新人", "R3 客户表扬"]),
        ("r2", ["R2 帮助新人"], ["R1 月度销冠", "R3 客户表扬"]),
        ("s2", ["R3 客户表扬"], ["R1 月度销冠", "R2 帮助新人"]),
        ("manager", ["R1 月度销冠", "R3 客户表扬"], []),
        ("hr", ["R1 月度销冠", "R3 客户表扬"], []),
        ("admin", ["R1 月度销冠", "R3 客户表扬"], []),
        ("staff", [], ["R1 月度销冠", "R2 帮助新人", "R3 客户表扬"]),
    ],
)
def test_the_ledger_page_follows_scope(ledger, login, who, sees, hidden):
    # given
    client = login(getattr(ledger, who))
    # when
    page = client.get("/morale/ledger/?period=2026-03").content.decode()
    # then
    for text in sees:
        assert text in page
    for text in hidden:
        assert text not in page


def test_a_supervisor_records_an_entry_on_the_page(org, login_en):
    # given
    client = login_en(org.s1)
    # when
    response = client.post(
        "/morale/ledger/new/",
        {
            "employee": org.r1.pk,
            "kind": "reward",
            "date": "2026-03-10",
            "points": "10",
            "amount": "888.80",
            "reason": "季度冲刺",
        },
    )
    # then
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert (entry.employee, entry.kind, entry.points, entry.amount) == (
        org.r1,
        "reward",
        10,
        D("888.80"),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "abc"}, "Enter a number."),
        ({"date": "2999-01-01"}, "The date cannot be in the future."),
        ({"date": "2026-02-30"}, "Enter a valid date."),
        ({"kind": "recognition", "amount": "5"}, "A recognition carries no money"),
        ({"points": "-1"}, "Ensure this value is greater than or equal to 0."),
    ],
)
def test_bad_inputs_on_the_page_get_a_message_and_store_nothing(org, login_en, data, message):
    # given
    client = login_en(org.s1)
    posted = {
        "employee": org.r1.pk,
        "kind": "reward",
        "date": "2026-03-10",
        "points": "10",
        "amount": "",
        "reason": "好",
    } | data
    # when
    response = client.post("/morale/ledger/new/", posted)
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize("who", ["r1", "r2", "s2", "staff"])
def test_recording_for_someone_out_of_scope_is_a_404_and_changes_nothing(org, login, who):
    # given
    client = login(getattr(org, who))
    # when
    response = client.post(
        "/morale/ledger/new/",
        {"employee": org.r1.pk, "kind": "recognition", "date": "2026-03-10", "reason": "好"},
    )
    # then
    assert response.status_code == 404
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize("who", ["r1", "r2", "s2", "staff"])
def test_reversing_out_of_scope_is_a_404_and_changes_nothing(ledger, login, who):
    # given
    entry = LedgerEntry.objects.get(reason="R1 月度销冠")
    before = LedgerEntry.objects.count()
    client = login(getattr(ledger, who))
    # when
    response = client.post(f"/morale/ledger/{entry.pk}/reverse/", {"reason": "想冲掉"})
    # then
    assert response.status_code == 404
    assert LedgerEntry.objects.count() == before
    assert not LedgerEntry.objects.filter(reverses=entry).exists()


def test_the_line_reverses_on_the_page(ledger, login_en):
    # given
    entry = LedgerEntry.objects.get(reason="R1 迟到三次")
    client = login_en(ledger.manager)
    # when
    response = client.post(
        f"/morale/ledger/{entry.pk}/reverse/", {"reason": "申诉成功"}, follow=True
    )
    # then
    assert f"Entry #{entry.pk} reversed." in response.content.decode()
    reversal = LedgerEntry.objects.get(reverses=entry)
    assert (reversal.points, reversal.amount, reversal.granted_by) == (
        -5,
        D("-100.00"),
        ledger.manager.user,
    )


def test_reversing_without_a_reason_changes_nothing(ledger, login_en):
    # given
    entry = LedgerEntry.objects.get(reason="R1 迟到三次")
    client = login_en(ledger.s1)
    # when
    response = client.post(f"/morale/ledger/{entry.pk}/reverse/", {"reason": " "}, follow=True)
    # then
    assert "Say why the entry is reversed." in response.content.decode()
    assert not LedgerEntry.objects.filter(reverses=entry).exists()


def test_the_ledger_page_costs_the_same_queries_for_more_entries(
    org, login, django_assert_max_num_queries
):
    # given
    client = login(org.manager)
    for number in range(3):
        _grant(org.s1, org.r1, points=number + 1, reason=f"少 {number}")
    client.get("/morale/ledger/?period=2026-03")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/morale/ledger/?period=2026-03")
    for number in range(30):
        entry = _grant(org.s1, org.r2, Kind.REWARD, amount=D(number + 1), reason=f"多 {number}")
        if number % 5 == 0:
            ledger_entry_reverse(actor=org.s1.user, entry=entry, reason="冲销")
        _grant(org.s2, org.r3, points=2, reason=f"多 {number}")
    # when / then
    with django_assert_max_num_queries(len(few)):
        response = client.get("/morale/ledger/?period=2026-03")
    assert response.status_code == 200


# -- the recognition wall -----------------------------------------------------------------------


def test_the_wall_shows_the_teams_standing_recognitions_only(ledger, login):
    # given a recognition of R1 reversed
    wrong = _grant(ledger.s1, ledger.r1, points=3, reason="R1 记错的表扬")
    ledger_entry_reverse(actor=ledger.s1.user, entry=wrong, reason="记错")
    client = login(ledger.r2)
    # when R2 opens the wall of their team
    response = client.get("/morale/wall/", follow=True)
    # then
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/morale/wall/{ledger.t1.pk}/"
    assert "R1 本周通话数第一" in page and "R2 帮助新人" in page
    for hidden in ("R1 月度销冠", "R1 迟到三次", "R1 记错的表扬", "R3 客户表扬"):
        assert hidden not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("r3", 404),
        ("s2", 404),
        ("staff", 404),
        ("r1", 200),
        ("s1", 200),
        ("manager", 200),
        ("hr", 200),
        ("admin", 200),
    ],
)
def test_a_teams_wall_is_for_its_members_its_line_hr_and_admin(ledger, login, who, status):
    # given
    client = login(getattr(ledger, who))
    # when
    response = client.get(f"/morale/wall/{ledger.t1.pk}/")
    # then
    assert response.status_code == status
    assert ("R1 本周通话数第一" in response.content.decode()) == (status == 200)


def test_staff_without_a_team_has_no_wall(org, login):
    # given
    client = login(org.staff)
    # when / then
    assert client.get("/morale/wall/").status_code == 404


def test_a_new_rep_of_a_team_reads_its_wall(org, login):
    # given
    r9 = _person("R9", "新人", Role.REP, team=org.t2, manager=org.s2)
    _grant(org.s2, org.r3, points=3, reason="R3 好样的")
    # when
    page = login(r9).get(f"/morale/wall/{org.t2.pk}/").content.decode()
    # then
    assert "R3 好样的" in page


@pytest.mark.parametrize(
    "url",
    [
        "/morale/ledger/new/",
        "/morale/checkins/new/",
        "/morale/activities/",
        "/morale/activities/new/",
    ],
)
@pytest.mark.parametrize("who", ["r1", "staff"])
def test_reps_and_staff_do_not_open_the_pages_of_the_line(org, login, who, url):
    # when / then
    assert login(getattr(org, who)).get(url).status_code == 404


def test_a_person_page_out_of_scope_is_a_404(ledger, login):
    # given
    client = login(ledger.s2)
    # when
    response = client.get(f"/morale/people/{ledger.r1.pk}/")
    # then
    assert response.status_code == 404
    assert "R1 月度销冠" not in response.content.decode()
