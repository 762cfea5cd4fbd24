"""The target-plan pages (issue 5): the plans of a period, setting a target, one target with
its history, the split wizard, agreements and the working-day calendar; who may open and
change what, and bounded queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.org.models import Role
from telesales.org.services import employee_hire, employee_leave
from telesales.targets.decomposition import split_compute
from telesales.targets.models import Agreement, CalendarDay, Method, Metric, Target, TargetSplit
from telesales.targets.services import split_apply, target_set

Q3 = "2026-Q3"


@pytest.fixture
def login(login):
    """Pages are compared in English."""

    def _login(employee):
        employee.user.language = "en"
        employee.user.save(update_fields=["language"])
        return login(employee)

    return _login


def _team_target(org, value, *, team=None, metric=Metric.SALES_AMOUNT, period=Q3) -> Target:
    target, _outcome = target_set(
        actor=org.manager.user, metric=metric, period=period, value=D(value), team=team or org.t1
    )
    return target


def _rep_target(org, rep, value, *, metric=Metric.SALES_AMOUNT, period=Q3) -> Target:
    target, _outcome = target_set(
        actor=org.s1.user, metric=metric, period=period, value=D(value), employee=rep
    )
    return target


def _split(org, parent, method=Method.EQUAL) -> TargetSplit:
    return split_apply(actor=org.s1.user, plan=split_compute(parent, method))


def _stored() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        Target.objects.count(),
        Target.objects.filter(superseded_at__isnull=True).count(),
        TargetSplit.objects.count(),
        list(Agreement.objects.order_by("pk").values_list("status", "version")),
        CalendarDay.objects.count(),
        AuditEvent.objects.filter(object_type__startswith="targets.").count(),
    )


def _active(employee) -> D:
    return Target.objects.get(employee=employee, superseded_at__isnull=True).value


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# -- who opens what ----------------------------------------------------------------------------

SEEING = ["r1", "s1", "manager", "hr", "admin"]


@pytest.mark.parametrize("who", SEEING)
@pytest.mark.parametrize(
    "url", ["/targets/?period=2026-Q3", "/targets/agreements/?period=2026-Q3", "/targets/calendar/"]
)
def test_the_plan_pages_open_for_everyone_with_targets(org, login, who, url):
    assert login(getattr(org, who)).get(url).status_code == 200


@pytest.mark.parametrize("who", SEEING)
def test_a_reps_target_and_agreement_open_for_the_rep_and_above(org, login, who):
    # given
    target = _rep_target(org, org.r1, "30000")
    agreement = Agreement.objects.get(employee=org.r1, period=Q3)
    client = login(getattr(org, who))
    # when
    responses = [
        client.get(f"/targets/{target.pk}/"),
        client.get(f"/targets/agreements/{agreement.pk}/"),
    ]
    # then
    assert [r.status_code for r in responses] == [200, 200]


@pytest.mark.parametrize(
    ("who", "status"), [("s1", 200), ("manager", 200), ("hr", 200), ("admin", 200), ("r1", 403)]
)
def test_setting_a_target_opens_for_those_who_may_set_one(org, login, who, status):
    assert login(getattr(org, who)).get("/targets/new/").status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("s1", 200), ("manager", 200), ("admin", 200), ("r1", 404), ("s2", 404)]
)
def test_the_split_of_t1s_target_opens_for_those_who_may_split_it(org, login, who, status):
    target = _team_target(org, "100000")
    assert login(getattr(org, who)).get(f"/targets/{target.pk}/split/").status_code == status


def test_staff_gets_nothing(org, login):
    # given
    team = _team_target(org, "100000")
    rep = _rep_target(org, org.r1, "30000")
    agreement = Agreement.objects.get(employee=org.r1, period=Q3)
    before = _stored()
    client = login(org.staff)
    # when
    responses = [
        client.get("/targets/"),
        client.get("/targets/new/"),
        client.get(f"/targets/{team.pk}/"),
        client.get(f"/targets/{rep.pk}/"),
        client.get(f"/targets/{team.pk}/split/"),
        client.get("/targets/agreements/"),
        client.get(f"/targets/agreements/{agreement.pk}/"),
        client.get("/targets/calendar/"),
        client.post(
            "/targets/new/",
            {"scope": f"rep:{org.r1.pk}", "period": Q3, "metric": "sales_amount", "value": "1"},
        ),
        client.post(f"/targets/agreements/{agreement.pk}/", {"side": "superior", "version": 1}),
        client.post("/targets/calendar/", {"date": "2026-10-16", "kind": "off"}),
    ]
    # then
    assert [r.status_code for r in responses] == [404] * 11
    assert _stored() == before
    assert "/targets/" not in client.get("/").content.decode()


def test_the_menu_lists_targets_and_agreements(org, login):
    page = login(org.r1).get("/").content.decode()
    assert 'href="/targets/"' in page
    assert 'href="/targets/agreements/"' in page


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/targets/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# -- the plans of a period ---------------------------------------------------------------------


def _groups(response) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    return [
        (
            "company" if g["company"] else g["team"].code,
            [
                (
                    r["label"],
                    r["value"],
                    r["method"],
                    r["agreement"].status if r["agreement"] else "",
                )
                for r in g["rows"]
            ],
        )
        for g in response.context["groups"]
    ]


def test_the_plans_are_grouped_company_teams_reps(org, login):
    # given a company target split among the teams, and T1's split among its reps
    company, _ = target_set(
        actor=org.manager.user, metric=Metric.SALES_AMOUNT, period=Q3, value=D("300000")
    )
    split_apply(actor=org.manager.user, plan=split_compute(company, Method.CAPACITY))
    t1 = Target.objects.get(team=org.t1, superseded_at__isnull=True)
    _split(org, t1)
    # when
    response = login(org.manager).get("/targets/?period=2026-Q3")
    # then
    assert response.status_code == 200
    assert _groups(response) == [
        ("company", [("The company", "300,000.00", "Entered", "")]),
        (
            "T1",
            [
                ("T1 一组", "200,000.00", "Capacity-weighted", "proposed"),
                ("R1 张一", "100,000.00", "Equal shares", "proposed"),
                ("R2 张二", "100,000.00", "Equal shares", "proposed"),
            ],
        ),
        ("T2", [("T2 二组", "100,000.00", "Capacity-weighted", "proposed")]),
    ]
    assert response.context["can_set"] is True


def test_the_plans_filter_by_period_metric_and_team(org, login):
    # given
    _team_target(org, "1000")
    _team_target(org, "2000", team=org.t2)
    _team_target(org, "300", metric=Metric.CALL_VOLUME)
    _team_target(org, "4000", period="2026-Q4")
    client = login(org.admin)
    # when
    by_metric = client.get(f"/targets/?period={Q3}&metric=call_volume")
    by_team = client.get(f"/targets/?period={Q3}&team={org.t2.pk}")
    by_period = client.get("/targets/?period=2026-Q4")
    wrong = client.get("/targets/?period=2026-13")
    # then
    assert _groups(by_metric) == [("T1", [("T1 一组", "300", "Entered", "proposed")])]
    assert _groups(by_team) == [("T2", [("T2 二组", "2,000.00", "Entered", "proposed")])]
    assert _groups(by_period) == [("T1", [("T1 一组", "4,000.00", "Entered", "proposed")])]
    assert wrong.status_code == 400
    assert wrong.context["groups"] == []


def test_the_plan_filters_answer_htmx_with_the_table_only(org, login):
    _team_target(org, "1000")
    response = login(org.s1).get(
        f"/targets/?period={Q3}&metric=sales_amount", headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('\n<div id="target-table">')
    assert "<html" not in page
    assert _groups(response) == [("T1", [("T1 一组", "1,000.00", "Entered", "proposed")])]


def test_the_plans_default_to_the_current_quarter(org, login):
    response = login(org.s1).get("/targets/")
    today = timezone.localdate()
    assert response.context["period"] == f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def test_a_rep_sees_only_their_own_targets(org, login):
    # given
    parent = _team_target(org, "100000")
    _split(org, parent)
    _team_target(org, "50000", team=org.t2)
    r2_target = Target.objects.get(employee=org.r2, superseded_at__isnull=True)
    client = login(org.r1)
    # when
    listed = client.get("/targets/?period=2026-Q3")
    others = [
        client.get(f"/targets/{r2_target.pk}/"),
        client.get(f"/targets/{parent.pk}/"),
        client.get(f"/targets/{parent.pk}/split/"),
        client.get(f"/targets/agreements/{Agreement.objects.get(employee=org.r2).pk}/"),
    ]
    # then
    assert _groups(listed) == [("T1", [("R1 张一", "50,000.00", "Equal shares", "proposed")])]
    assert listed.context["can_set"] is False
    assert [r.status_code for r in others] == [404, 404, 404, 404]


def test_the_plan_list_queries_are_bounded(org, login, django_assert_max_num_queries):
    # given T1 with 22 reps, each with a target from a split, and T2's own target
    parent = _team_target(org, "220000")
    _split(org, parent)
    _team_target(org, "10000", team=org.t2)
    client = login(org.manager)
    client.get("/targets/?period=2026-Q3")  # warm the session and the settings cache
    with django_assert_max_num_queries(15) as few:
        client.get("/targets/?period=2026-Q3")
    for n in range(20):
        employee_hire(
            actor=None,
            employee_no=f"X{n:02d}",
            name=f"新人{n}",
            role=Role.REP,
            team=org.t1,
            manager=org.s1,
            hire_date=dt.date(2025, 1, 6),
        )
    _split(org, parent)
    # when
    with django_assert_max_num_queries(15) as many:
        response = client.get("/targets/?period=2026-Q3")
    # then
    assert [len(g["rows"]) for g in response.context["groups"]] == [23, 1]
    assert len(many) == len(few)


# -- setting a target --------------------------------------------------------------------------


def _set(client, **data):
    return client.post(
        "/targets/new/", {"period": Q3, "metric": "sales_amount", "note": "", **data}
    )


def test_a_supervisor_sets_a_reps_target_and_the_page_says_what_happened(org, login):
    # given
    client = login(org.s1)
    # when
    stored = _set(client, scope=f"rep:{org.r1.pk}", value="30000", note="Q3 plan")
    first = _messages(client.get(stored["Location"]))
    changed = _set(client, scope=f"rep:{org.r1.pk}", value="32000")
    detail = client.get(changed["Location"])
    # then
    assert [r.status_code for r in (stored, changed)] == [302, 302]
    assert first == ["The Sales amount target of R1 张一 for 2026-Q3 is set to 30,000.00."]
    assert _messages(detail) == [
        "The Sales amount target of R1 张一 for 2026-Q3 is now 32,000.00; the earlier value is "
        "kept in its history."
    ]
    assert _active(org.r1) == D("32000")
    assert [(v["value"], v["target"].note) for v in detail.context["versions"]] == [
        ("32,000.00", ""),
        ("30,000.00", "Q3 plan"),
    ]


def test_an_unchanged_target_says_so(org, login):
    # given
    _rep_target(org, org.r1, "30000")
    client = login(org.s1)
    # when
    response = _set(client, scope=f"rep:{org.r1.pk}", value="30000")
    # then
    assert _messages(client.get(response["Location"])) == [
        "The Sales amount target of R1 张一 for 2026-Q3 is already 30,000.00; nothing changed."
    ]
    assert Target.objects.filter(employee=org.r1).count() == 1


@pytest.mark.parametrize(
    ("metric", "value", "field", "error"),
    [
        ("sales_amount", "-5", "value", "A target cannot be negative."),
        ("sales_amount", "abc", "value", "Enter a number."),
        ("sales_amount", "1.234", "value", "Ensure that there are no more than 2 decimal places."),
        ("deals_won", "10.5", "value", "A Deals won target is a whole number of 1."),
        ("sales_amount", "", "value", "This field is required."),
    ],
)
def test_bad_target_values_are_refused_with_the_reason(org, login, metric, value, field, error):
    # given
    client = login(org.s1)
    before = _stored()
    # when
    response = _set(client, scope=f"rep:{org.r1.pk}", metric=metric, value=value)
    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [error]}
    assert error in response.content.decode()
    assert _stored() == before


def test_a_bad_period_is_refused(org, login):
    client = login(org.s1)
    response = _set(client, scope=f"rep:{org.r1.pk}", value="1", period="2026-07-01")
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "period": ["A target is for a year, a quarter or a month, e.g. 2026-Q3."]
    }


def test_the_scopes_offered_are_those_the_user_may_set(org, login):
    def offered(who):
        form = login(who).get("/targets/new/").context["form"]
        return [
            (group, [label for _value, label in options])
            if isinstance(options, list)
            else (group, options)
            for group, options in form.fields["scope"].choices
        ]

    assert offered(org.s1) == [("Reps", ["R1 张一", "R2 张二"])]
    assert offered(org.manager) == [
        ("company", "The company"),
        ("Teams", ["T1 一组", "T2 二组"]),
        ("Reps", ["R1 张一", "R2 张二", "R3 张三"]),
    ]


def test_a_supervisor_cannot_set_another_teams_targets(org, login):
    # given
    _team_target(org, "100000")
    client = login(org.s2)
    before = _stored()
    # when
    responses = [
        _set(client, scope=f"team:{org.t1.pk}", value="1"),
        _set(client, scope=f"rep:{org.r1.pk}", value="1"),
        _set(client, scope=f"team:{org.t2.pk}", value="1"),  # their own team: set by M1
        _set(client, scope="company", value="1"),
    ]
    # then
    assert [r.status_code for r in responses] == [404, 404, 403, 403]
    assert _stored() == before


# -- one target --------------------------------------------------------------------------------


def test_a_team_target_shows_its_split_children_basis_and_history(org, login):
    # given T1's target set twice, split equally and then by capacity with R2 on leave
    from telesales.org.services import absence_record

    _team_target(org, "90000")
    parent = _team_target(org, "100000")
    _split(org, parent)
    absence_record(actor=None, employee=org.r2, start=dt.date(2026, 7, 6), end=dt.date(2026, 7, 10))
    _split(org, parent, Method.CAPACITY)
    # when
    response = login(org.s1).get(f"/targets/{parent.pk}/")
    # then
    context = response.context
    assert [(v["value"], v["target"].is_active) for v in context["versions"]] == [
        ("100,000.00", True),
        ("90,000.00", False),
    ]
    assert [(r["label"], r["value"], r["basis"]) for r in context["children"]] == [
        (
            "R1 张一",
            "51,968.50",
            [
                "66 working days",
                "66 ramp-weighted days",
                "ramp-up by month of service: 40% / 70% / 100%",
            ],
        ),
        (
            "R2 张二",
            "48,031.50",
            [
                "61 working days",
                "5 days on leave",
                "61 ramp-weighted days",
                "ramp-up by month of service: 40% / 70% / 100%",
            ],
        ),
    ]
    assert [
        [(r["label"], r["value"], r["basis"]) for r in s["children"]]
        for s in context["earlier_splits"]
    ] == [
        [
            ("R1 张一", "50,000.00", ["equal share (1/2)"]),
            ("R2 张二", "50,000.00", ["equal share (1/2)"]),
        ]
    ]
    assert [row["text"] for row in context["audit"]] == [
        "Split by Capacity-weighted from 2026-07-01 into 2 targets",
        "Split by Equal shares from 2026-07-01 into 2 targets",
        "Target set to 100,000.00 (was 90,000.00)",
        "Target set to 90,000.00",
    ]
    assert context["may_split"] is True
    assert context["may_change"] is False  # a team's own target is set by the manager


def test_a_reps_target_is_phased_into_months_and_weeks(org, login):
    # given 33,000 over the 66 working days of Q3: 500 a working day
    target = _rep_target(org, org.r1, "33000")
    # when
    response = login(org.r1).get(f"/targets/{target.pk}/")
    # then
    phasing = response.context["phasing"]
    assert [(m["label"], m["working_days"], m["amount"]) for m in phasing["months"]] == [
        ("2026-07", 23, "11,500.00"),
        ("2026-08", 21, "10,500.00"),
        ("2026-09", 22, "11,000.00"),
    ]
    assert phasing["weeks"][0] == {
        "label": "2026-W27",
        "first": dt.date(2026, 7, 1),
        "last": dt.date(2026, 7, 5),
        "working_days": 3,
        "planned_days": 3,
        "amount": "1,500.00",
    }
    assert len(phasing["weeks"]) == 14
    assert phasing["total"] == "33,000.00"
    assert phasing["unknown_years"] == []


# -- the split wizard --------------------------------------------------------------------------


def _preview(client, target, **query):
    params = {"method": "equal", "history_months": "3", "effective_from": "", **query}
    return client.get(f"/targets/{target.pk}/split/", params)


def _step(client, target, preview, action, amounts, *, reason="", headers=None):
    data = {
        **preview.context["query"],
        "fingerprint": preview.context["fingerprint"],
        "action": action,
        "reason": reason,
        **{f"share-{code}": value for code, value in amounts.items()},
    }
    return client.post(f"/targets/{target.pk}/split/", data, headers=headers or {})


def test_the_split_wizard_from_method_to_confirmation_stores_the_adjusted_shares(org, login):
    # given T1's 100,000
    parent = _team_target(org, "100000")
    client = login(org.s1)
    # when: step 1, the method
    choose = client.get(f"/targets/{parent.pk}/split/")
    # step 2, the preview by equal shares
    preview = _preview(client, parent)
    # adjusted by hand, with the running sum
    checked = _step(
        client,
        parent,
        preview,
        "check",
        {"R1": "60000", "R2": "40000"},
        headers={"HX-Request": "true"},
    )
    # step 3, the review
    review = _step(client, parent, preview, "review", {"R1": "60000", "R2": "40000"})
    stored_before_confirm = Target.objects.filter(employee__isnull=False).count()
    # and the confirmation
    done = _step(
        client,
        parent,
        review,
        "confirm",
        {"R1": "60000", "R2": "40000"},
        reason="R1 has the big accounts",
    )
    # then
    assert choose.status_code == 200 and choose.context["step"] == 1
    assert [(r["share"].code, r["computed"], r["basis"]) for r in preview.context["rows"]] == [
        ("R1", "50,000.00", ["equal share (1/2)"]),
        ("R2", "50,000.00", ["equal share (1/2)"]),
    ]
    assert checked.content.decode().count('<div id="split-sum"') == 1
    assert "<html" not in checked.content.decode()
    assert checked.context["sum_state"] == "exact"
    assert review.status_code == 200 and review.context["step"] == 3
    assert [r["value"] for r in review.context["rows"]] == ["60,000.00", "40,000.00"]
    assert stored_before_confirm == 0
    assert done.status_code == 302 and done["Location"] == f"/targets/{parent.pk}/"
    assert (_active(org.r1), _active(org.r2)) == (D("60000"), D("40000"))
    split = TargetSplit.objects.get()
    assert (split.method, split.based_on, split.reason) == (
        "manual",
        "equal",
        "R1 has the big accounts",
    )
    assert _messages(client.get(done["Location"])) == [
        "The split is stored: 2 targets set by Manual."
    ]


def test_a_split_confirmed_unchanged_keeps_its_method(org, login):
    parent = _team_target(org, "100001")
    client = login(org.manager)
    preview = _preview(client, parent, method="capacity")
    amounts = {r["share"].code: r["share"].share for r in preview.context["rows"]}
    done = _step(client, parent, preview, "confirm", amounts)
    assert done.status_code == 302
    assert TargetSplit.objects.get().method == "capacity"
    assert (_active(org.r1), _active(org.r2)) == (D("50000.50"), D("50000.50"))


def test_a_broken_manual_sum_is_refused_with_the_difference(org, login):
    # given
    parent = _team_target(org, "100000")
    client = login(org.s1)
    preview = _preview(client, parent)
    before = _stored()
    # when
    checked = _step(client, parent, preview, "check", {"R1": "60000", "R2": "39999.99"})
    review = _step(client, parent, preview, "review", {"R1": "60000", "R2": "39999.99"})
    confirm = _step(client, parent, preview, "confirm", {"R1": "60000", "R2": "39999.99"})
    # then
    message = "The shares add up to 99999.99, not 100000.00: 0.01 too little."
    assert checked.context["sum_state"] == "under" and checked.context["sum_difference"] == "0.01"
    assert [r.status_code for r in (review, confirm)] == [400, 400]
    assert review.context["amounts"].non_field_errors() == [message]
    assert message in confirm.content.decode()
    assert _stored() == before


def test_shares_that_are_no_whole_units_or_no_number_are_refused(org, login):
    parent = _team_target(org, "301", metric=Metric.DEALS_WON)
    client = login(org.s1)
    preview = _preview(client, parent)
    before = _stored()
    halves = _step(client, parent, preview, "confirm", {"R1": "150.5", "R2": "150.5"})
    words = _step(client, parent, preview, "confirm", {"R1": "many", "R2": "150"})
    assert halves.status_code == 400
    assert halves.context["amounts"].non_field_errors() == ["R1: 150.5 is not a whole number of 1."]
    assert words.status_code == 400
    assert words.context["amounts"].errors == {"share-R1": ["Enter a number."]}
    assert _stored() == before


def test_a_split_that_cannot_be_computed_says_why(org, login):
    parent = _team_target(org, "100000")
    response = _preview(login(org.s1), parent, method="history")
    assert response.status_code == 400
    assert response.context["choose"].non_field_errors() == [
        "Nobody has any Sales amount in the 3 months before 2026-Q3; split equally or by "
        "capacity instead."
    ]
    assert TargetSplit.objects.count() == 0


def test_a_stale_preview_is_refused(org, login):
    # given a preview of T1's 100,000, then the manager changes the target
    parent = _team_target(org, "100000")
    client = login(org.s1)
    preview = _preview(client, parent)
    _team_target(org, "120000")
    before = _stored()
    # when
    response = _step(client, parent, preview, "confirm", {"R1": "50000", "R2": "50000"})
    # then
    assert response.status_code == 409
    assert (
        "The target changed while you were splitting it; start again." in response.content.decode()
    )
    assert _stored() == before


def test_a_preview_whose_people_changed_is_shown_again(org, login):
    # given a preview, then a new rep joins T1
    parent = _team_target(org, "90000")
    client = login(org.s1)
    preview = _preview(client, parent)
    employee_hire(
        actor=None,
        employee_no="R4",
        name="新人",
        role=Role.REP,
        team=org.t1,
        manager=org.s1,
        hire_date=dt.date(2026, 1, 5),
    )
    before = _stored()
    # when
    response = _step(client, parent, preview, "confirm", {"R1": "45000", "R2": "45000"})
    # then
    assert response.status_code == 409
    assert [r["computed"] for r in response.context["rows"]] == ["30,000.00"] * 3
    assert _stored() == before


def test_resplit_from_the_detail_page_after_a_rep_leaves(org, login):
    # given T1's 66,000 split equally (500 a working day each), then R2 leaves on 3 August
    parent = _team_target(org, "66000")
    _split(org, parent)
    employee_leave(actor=None, employee=org.r2, date=dt.date(2026, 8, 3), voluntary=True)
    client = login(org.s1)
    # when the supervisor opens the target and follows "Re-split from 2026-08-03"
    detail = client.get(f"/targets/{parent.pk}/")
    link = f"/targets/{parent.pk}/split/?effective_from=2026-08-03"
    choose = client.get(link)
    unasked = client.get(f"/targets/{parent.pk}/split/").context["choose"]
    preview = _preview(client, parent, effective_from="2026-08-03")
    rows = {r["share"].code: (r["kept"], r["computed"]) for r in preview.context["rows"]}
    review = _step(client, parent, preview, "review", {"R1": "43000"})
    done = _step(client, parent, review, "confirm", {"R1": "43000"}, reason="R2 left")
    # then
    assert [(c.code, c.kind, c.date) for c in detail.context["changes"]] == [
        ("R2", "left", dt.date(2026, 8, 3))
    ]
    assert link in detail.content.decode()
    assert choose.context["choose"].initial["effective_from"] == "2026-08-03"
    assert unasked.initial["effective_from"] == dt.date(2026, 8, 3)  # the first change
    assert rows == {"R1": ("11,500.00", "43,000.00"), "R2": ("11,500.00", "0.00")}
    assert done.status_code == 302
    assert (_active(org.r1), _active(org.r2)) == (D("54500"), D("11500"))
    after = client.get(f"/targets/{parent.pk}/")
    assert after.context["changes"] == []
    assert len(after.context["earlier_splits"]) == 1
    assert after.context["current_split"].reason == "R2 left"


def test_a_supervisor_cannot_split_another_teams_target(org, login):
    # given
    parent = _team_target(org, "100000")
    client = login(org.s2)
    before = _stored()
    # when
    responses = [
        client.get(f"/targets/{parent.pk}/split/"),
        client.get(f"/targets/{parent.pk}/split/?method=equal&history_months=3"),
        client.post(
            f"/targets/{parent.pk}/split/",
            {
                "method": "equal",
                "history_months": 3,
                "action": "confirm",
                "share-R1": "100000",
                "share-R2": "0",
            },
        ),
    ]
    # then
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert _stored() == before


def test_a_rep_cannot_split_their_own_target(org, login):
    target = _rep_target(org, org.r1, "30000")
    before = _stored()
    response = login(org.r1).post(
        f"/targets/{target.pk}/split/", {"method": "equal", "action": "confirm"}
    )
    assert response.status_code == 403
    assert _stored() == before


# -- agreements --------------------------------------------------------------------------------


def _sign(client, agreement, side, version):
    """The page after signing (redirects followed)."""
    return client.post(
        f"/targets/agreements/{agreement.pk}/", {"side": side, "version": version}, follow=True
    )


def _state(agreement) -> tuple:
    agreement.refresh_from_db()
    return (
        agreement.status,
        agreement.version,
        agreement.employee_signed_at is not None,
        agreement.superior_signed_at is not None,
    )


def test_both_sides_sign_then_a_change_asks_both_again(org, login):
    # given R1's target set by S1: R1's agreement is proposed
    _set(login(org.s1), scope=f"rep:{org.r1.pk}", value="30000")
    agreement = Agreement.objects.get(employee=org.r1, period=Q3)
    rep = login(org.r1)
    page = rep.get(f"/targets/agreements/{agreement.pk}/")
    # when both sign
    _sign(rep, agreement, "employee", 1)
    after_rep = _state(agreement)
    supervisor = login(org.s1)
    signed = _sign(supervisor, agreement, "superior", 1)
    confirmed = _state(agreement)
    # and the supervisor changes the target
    supervisor.get(_set(supervisor, scope=f"rep:{org.r1.pk}", value="32000")["Location"])
    reopened = _state(agreement)
    stale = _sign(login(org.r1), agreement, "employee", 1)
    after_stale = _state(agreement)
    _sign(login(org.r1), agreement, "employee", 2)
    _sign(login(org.s1), agreement, "superior", 2)
    # then
    assert [f["side"] for f in page.context["sign_forms"]] == ["employee"]
    assert after_rep == ("employee_signed", 1, True, False)
    assert _messages(signed) == ["Signed. Both sides have signed: the agreement is confirmed."]
    assert confirmed == ("confirmed", 1, True, True)
    assert reopened == ("proposed", 2, False, False)
    assert _messages(stale) == [
        "The targets changed after you opened them; read them again before signing."
    ]
    assert after_stale == ("proposed", 2, False, False)
    assert _state(agreement) == ("confirmed", 2, True, True)


def test_a_rep_cannot_sign_as_superior(org, login):
    # given
    _rep_target(org, org.r1, "30000")
    agreement = Agreement.objects.get(employee=org.r1, period=Q3)
    before = _stored()
    # when
    as_superior = _sign(login(org.r1), agreement, "superior", 1)
    other_supervisor = _sign(login(org.s2), agreement, "superior", 1)
    manager_as_employee = _sign(login(org.manager), agreement, "employee", 1)
    # then
    assert [r.status_code for r in (as_superior, other_supervisor, manager_as_employee)] == [
        403,
        404,
        403,
    ]
    assert _stored() == before


def test_the_agreement_list_shows_each_person_with_status_and_counts(org, login):
    # given T1 split (R1, R2 and S1's team target), R1 signed
    parent = _team_target(org, "100000")
    _split(org, parent)
    r1 = Agreement.objects.get(employee=org.r1)
    _sign(login(org.r1), r1, "employee", 1)
    # when
    response = login(org.manager).get("/targets/agreements/?period=2026-Q3")
    # then
    rows = [
        (
            g["team"].code,
            [
                (
                    r["employee"].employee_no,
                    r["agreement"].status if r["agreement"] else "",
                    r.get("employee_by", ""),
                )
                for r in g["rows"]
            ],
        )
        for g in response.context["groups"]
    ]
    assert rows == [
        ("T1", [("S1", "proposed", ""), ("R1", "employee_signed", "张一"), ("R2", "proposed", "")]),
        ("T2", [("S2", "", ""), ("R3", "", "")]),
    ]
    assert {c["label"]: c["count"] for c in response.context["counts"]} == {
        "Proposed": 2,
        "Signed by the employee": 1,
        "Signed by the superior": 0,
        "Confirmed": 0,
        "No targets yet": 2,
    }


def test_a_rep_sees_only_their_own_agreement(org, login):
    parent = _team_target(org, "100000")
    _split(org, parent)
    response = login(org.r1).get("/targets/agreements/?period=2026-Q3")
    assert [[r["employee"].employee_no for r in g["rows"]] for g in response.context["groups"]] == [
        ["R1"]
    ]


def test_the_agreement_list_queries_are_bounded(org, login, django_assert_max_num_queries):
    # given
    parent = _team_target(org, "220000")
    _split(org, parent)
    client = login(org.manager)
    client.get("/targets/agreements/?period=2026-Q3")
    with django_assert_max_num_queries(12) as few:
        client.get("/targets/agreements/?period=2026-Q3")
    for n in range(20):
        employee_hire(
            actor=None,
            employee_no=f"X{n:02d}",
            name=f"新人{n}",
            role=Role.REP,
            team=org.t1,
            manager=org.s1,
            hire_date=dt.date(2025, 1, 6),
        )
    _split(org, parent)
    supervisor = login(org.s1)
    for agreement in Agreement.objects.filter(employee__employee_no__startswith="X")[:10]:
        _sign(supervisor, agreement, "superior", agreement.version)
    client = login(org.manager)
    # when
    with django_assert_max_num_queries(12) as many:
        response = client.get("/targets/agreements/?period=2026-Q3")
    # then
    assert [len(g["rows"]) for g in response.context["groups"]] == [23, 2]
    assert len(many) == len(few)


# -- the calendar ------------------------------------------------------------------------------


def test_the_calendar_shows_the_china_calendar_and_company_days(org, login):
    # given
    client = login(org.admin)
    # when a company day off and an extra working day are added, then one cleared
    off = client.post("/targets/calendar/", {"date": "2026-10-16", "kind": "off", "note": "团建"})
    extra = client.post("/targets/calendar/", {"date": "2026-10-17", "kind": "working"})
    said = _messages(client.get(extra["Location"]))
    client.post("/targets/calendar/", {"date": "2026-10-17", "kind": "clear"})
    page = login(org.r1).get("/targets/calendar/?month=2026-10")
    # then
    assert off.status_code == 302 and off["Location"] == "/targets/calendar/?month=2026-10"
    assert said == [
        "2026-10-16 is now a company day off.",
        "2026-10-17 is now an extra working day.",
    ]
    assert list(CalendarDay.objects.values_list("date", "working", "note")) == [
        (dt.date(2026, 10, 16), False, "团建")
    ]
    days = {d["date"]: d for week in page.context["weeks"] for d in week}
    assert days[dt.date(2026, 10, 1)]["holiday"] == "National Day"
    assert days[dt.date(2026, 10, 1)]["working"] is False
    assert days[dt.date(2026, 10, 10)]["make_up"] is True
    assert (days[dt.date(2026, 10, 16)]["working"], days[dt.date(2026, 10, 16)]["company"]) == (
        False,
        True,
    )
    assert page.context["working_days"] == 17  # 18 less the company day off
    assert page.context["editable"] is False
    assert page.context["unknown_years"] == []


def test_only_administrators_and_hr_change_the_calendar(org, login):
    before = _stored()
    responses = [
        login(who).post("/targets/calendar/", {"date": "2026-10-16", "kind": "off"})
        for who in (org.r1, org.s1, org.manager)
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert _stored() == before
    assert (
        login(org.hr).post("/targets/calendar/", {"date": "2026-10-16", "kind": "off"}).status_code
        == 302
    )


def test_a_year_unknown_to_the_holiday_library_is_flagged(org, login):
    response = login(org.s1).get("/targets/calendar/?month=2031-01")
    assert response.context["unknown_years"] == [2031]
    assert "The China holiday calendar of 2031 is not known yet" in response.content.decode()
    assert response.context["working_days"] == 23


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "soon"])
def test_a_month_out_of_reach_shows_this_month(org, login, month):
    response = login(org.s1).get(f"/targets/calendar/?month={month}")
    assert response.status_code == 200
    assert response.context["month"] == timezone.localdate().replace(day=1)
