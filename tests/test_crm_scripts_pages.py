"""The script pages: the library, a script and its versions, writing, publishing and
comparing versions, the outcome form's version select, and who may do what (scope)."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from telesales.core.config import setting_set
from telesales.core.models import AuditEvent
from telesales.crm.customers.services import customer_create, outcome_record
from telesales.crm.models import Customer, Disposition, Outcome, Script, ScriptVersion
from telesales.crm.scripts import services

Status = ScriptVersion.Status
_phones = itertools.count(1)


def _script(actor, code="opening", title="开场白", body="您好，我是小王。\n请问方便吗？"):
    return services.script_create(
        actor=actor, code=code, title=title, stage=Script.Stage.OPENING, body=body
    )


def _publish(actor, version):
    return services.script_version_transition(
        actor=actor, version=version, to_status=Status.PUBLISHED
    )


def _customer(owner) -> Customer:
    return customer_create(actor=None, phone=f"1390000{next(_phones):04d}", owner=owner)


def _record(rep, version, codes: str) -> None:
    for code in codes.split():
        outcome_record(
            actor=rep.user,
            customer=_customer(rep),
            disposition=Disposition.objects.get(code=code),
            employee=rep,
            script_version=version,
        )


@pytest.fixture
def ab(org):
    """开场白 with v1 and v2 published, a v3 draft, and outcomes:
    R1 (T1) with v1: sale sale contacted no_answer → 4 outcomes, 3 contacts, 2 sales;
    R2 (T1) with v2: sale not_interested ×3 busy → 5 outcomes, 4 contacts, 1 sale;
    R3 (T2) with v2: sale ×3                     → 3 outcomes, 3 contacts, 3 sales."""
    script = _script(org.s1.user)
    v1 = _publish(org.s1.user, script.versions.get())
    v2 = _publish(
        org.s1.user,
        services.script_version_create(
            actor=org.s1.user, script=script, body="您好，我是星辰科技的小王。\n打扰您一分钟。"
        ),
    )
    v3 = services.script_version_create(actor=org.s1.user, script=script, body="草稿")
    _record(org.r1, v1, "sale sale contacted no_answer")
    _record(org.r2, v2, "sale not_interested not_interested not_interested busy")
    _record(org.r3, v2, "sale sale sale")
    org.script, org.v1, org.v2, org.v3 = script, v1, v2, v3
    return org


def _rows(response) -> dict[int, dict]:
    return {
        row["version"].number: {
            "counts": (
                row["result"].counts.outcomes,
                row["result"].counts.contacts,
                row["result"].counts.sales,
            ),
            "conversion": row["result"].conversion,
            "test": row["result"].comparison.test,
            "p": row["result"].comparison.p_value,
            "verdict": str(row["result"].comparison.verdict),
            "text": row["verdict_text"],
        }
        for row in response.context["rows"]
    }


# -- the library ------------------------------------------------------------------------------------


def test_the_library_lists_scripts_with_their_published_versions(ab, login_en):
    # given
    _script(ab.s1.user, code="closing", title="促成话术")  # a draft only
    # when
    response = login_en(ab.s1).get("/scripts/")
    # then
    assert response.status_code == 200
    listed = {s.code: [v.number for v in s.published] for s in response.context["scripts"]}
    assert listed == {"opening": [1, 2], "closing": []}
    assert {s.code: s.draft_count for s in response.context["scripts"]} == {
        "opening": 1,
        "closing": 1,
    }
    assert "New script" in response.content.decode()


def test_a_rep_sees_published_scripts_only_and_no_editing(ab, login_en):
    # given
    _script(ab.s1.user, code="closing", title="促成话术")
    client = login_en(ab.r1)
    # when
    library = client.get("/scripts/")
    detail = client.get(f"/scripts/{ab.script.pk}/")
    # then
    assert [s.code for s in library.context["scripts"]] == ["opening"]
    assert "New script" not in library.content.decode()
    assert [v.number for v in detail.context["versions"]] == [2, 1]
    text = detail.content.decode()
    assert "草稿" not in text
    assert "New version" not in text and "Retire" not in text


def test_staff_do_not_see_scripts(ab, login):
    client = login(ab.staff)
    for url in ["/scripts/", f"/scripts/{ab.script.pk}/", f"/scripts/{ab.script.pk}/compare/"]:
        assert client.get(url).status_code == 404, url


def test_the_menu_offers_scripts_under_quality(ab, login):
    from telesales.core.navigation import menu_for

    entries = {e["key"]: e for e in menu_for(ab.r1.user)}
    assert entries["scripts"]["url"] == "/scripts/"
    assert entries["scripts"]["group"] == "quality"
    assert "scripts" not in {e["key"] for e in menu_for(ab.staff.user)}


def test_the_script_page_shows_versions_with_who_and_when(ab, login_en):
    # when
    response = login_en(ab.manager).get(f"/scripts/{ab.script.pk}/")
    # then
    text = response.content.decode()
    versions = response.context["versions"]
    assert [(v.number, v.status) for v in versions] == [
        (3, Status.DRAFT),
        (2, Status.PUBLISHED),
        (1, Status.PUBLISHED),
    ]
    assert [v.moves for v in versions] == [
        [("published", "Publish"), ("retired", "Withdraw the draft")],
        [("retired", "Retire")],
        [("retired", "Retire")],
    ]
    day = timezone.localdate().isoformat()
    assert f"Written by {ab.s1.user.username}" in text or "Written by 李主管" in text
    assert "Published by" in text and day in text


# -- writing and publishing -----------------------------------------------------------------------------


def test_a_supervisor_creates_a_script_on_its_page(org, login_en):
    # when
    response = login_en(org.s1).post(
        "/scripts/new/",
        {
            "code": "price",
            "title": "异议处理：价格太贵",
            "stage": "objection",
            "body": "理解，价格是要算清楚的。",
            "change_note": "",
        },
    )
    # then
    script = Script.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/scripts/{script.pk}/"
    assert (script.title, script.stage) == ("异议处理：价格太贵", "objection")
    assert list(script.versions.values_list("number", "status")) == [(1, "draft")]


def test_a_bad_new_script_shows_the_reason_and_stores_nothing(ab, login_en):
    # when
    response = login_en(ab.s1).post(
        "/scripts/new/",
        {"code": "opening", "title": "又一个", "stage": "opening", "body": "x"},
    )
    # then
    assert response.status_code == 200
    assert "A script with the code opening already exists." in response.content.decode()
    assert Script.objects.count() == 1


def test_the_new_version_page_starts_from_the_latest_text(ab, login_en):
    # given
    client = login_en(ab.s2)
    # when
    page = client.get(f"/scripts/{ab.script.pk}/versions/new/")
    response = client.post(
        f"/scripts/{ab.script.pk}/versions/new/",
        {"body": "第四版：您好！", "change_note": "更热情"},
    )
    # then
    assert page.context["form"].initial["body"] == "草稿"  # v3, the latest
    assert response.status_code == 302
    v4 = ab.script.versions.get(number=4)
    assert (v4.body, v4.change_note, v4.status, v4.author) == (
        "第四版：您好！",
        "更热情",
        Status.DRAFT,
        ab.s2.user,
    )


def test_publishing_and_retiring_by_the_buttons(ab, login_en):
    # given
    client = login_en(ab.s1)
    # when
    published = client.post(f"/scripts/versions/{ab.v3.pk}/move/", {"to_status": "published"})
    retired = client.post(f"/scripts/versions/{ab.v1.pk}/move/", {"to_status": "retired"})
    # then
    assert (published.status_code, retired.status_code) == (302, 302)
    assert dict(ab.script.versions.values_list("number", "status")) == {
        1: "retired",
        2: "published",
        3: "published",
    }


def test_a_refused_move_says_why_and_changes_nothing(ab, login_en):
    # given
    client = login_en(ab.s1)
    # when
    response = client.post(
        f"/scripts/versions/{ab.v1.pk}/move/", {"to_status": "draft"}, follow=True
    )
    # then
    assert "A version cannot go from Published to Draft." in response.content.decode()
    ab.v1.refresh_from_db()
    assert ab.v1.status == Status.PUBLISHED


def test_a_draft_is_edited_and_a_published_text_is_not(ab, login_en):
    # given
    client = login_en(ab.s1)
    # when
    draft = client.post(f"/scripts/versions/{ab.v3.pk}/edit/", {"body": "改好的草稿"})
    published = client.post(f"/scripts/versions/{ab.v1.pk}/edit/", {"body": "偷偷改"}, follow=True)
    # then
    assert draft.status_code == 302
    ab.v3.refresh_from_db()
    assert ab.v3.body == "改好的草稿"
    assert "its text can no longer change. Write a new version instead." in (
        published.content.decode()
    )
    ab.v1.refresh_from_db()
    assert ab.v1.body == "您好，我是小王。\n请问方便吗？"


def test_a_rep_cannot_edit_scripts_and_nothing_changes(ab, login):
    # given
    client = login(ab.r1)
    before = (
        Script.objects.count(),
        list(ScriptVersion.objects.order_by("pk").values_list("number", "status", "body")),
        AuditEvent.objects.count(),
    )
    # when
    responses = [
        client.get("/scripts/new/"),
        client.post("/scripts/new/", {"code": "x", "title": "x", "stage": "opening", "body": "x"}),
        client.get(f"/scripts/{ab.script.pk}/edit/"),
        client.post(
            f"/scripts/{ab.script.pk}/edit/", {"title": "x", "stage": "opening", "is_active": ""}
        ),
        client.post(f"/scripts/{ab.script.pk}/versions/new/", {"body": "x"}),
        client.post(f"/scripts/versions/{ab.v3.pk}/edit/", {"body": "x"}),
        client.post(f"/scripts/versions/{ab.v3.pk}/move/", {"to_status": "published"}),
        client.post(f"/scripts/versions/{ab.v1.pk}/move/", {"to_status": "retired"}),
    ]
    # then
    assert [r.status_code for r in responses] == [404] * 8
    after = (
        Script.objects.count(),
        list(ScriptVersion.objects.order_by("pk").values_list("number", "status", "body")),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_a_rep_cannot_open_a_draft_or_a_script_without_a_published_version(ab, login):
    # given
    hidden = _script(ab.s1.user, code="closing", title="促成话术")
    client = login(ab.r1)
    # when / then
    assert client.get(f"/scripts/{hidden.pk}/").status_code == 404
    assert client.get(f"/scripts/{ab.script.pk}/diff/?old=2&new=3").status_code == 400


# -- the difference ------------------------------------------------------------------------------------


def test_the_diff_page_shows_removed_and_added_lines(ab, login_en):
    # when
    response = login_en(ab.r1).get(f"/scripts/{ab.script.pk}/diff/?old=1&new=2")
    # then
    assert response.status_code == 200
    assert [(line.kind, line.text) for line in response.context["lines"]] == [
        ("removed", "您好，我是小王。"),
        ("removed", "请问方便吗？"),
        ("added", "您好，我是星辰科技的小王。"),
        ("added", "打扰您一分钟。"),
    ]


def test_the_diff_page_defaults_to_the_two_latest_versions(ab, login_en):
    response = login_en(ab.s1).get(f"/scripts/{ab.script.pk}/diff/")
    assert (response.context["old"].number, response.context["new"].number) == (2, 3)


# -- conversion by version ---------------------------------------------------------------------------


def test_the_comparison_of_a_supervisor_counts_their_teams_outcomes(ab, login_en):
    # when
    response = login_en(ab.s1).get(f"/scripts/{ab.script.pk}/compare/")
    # then: R3 (T2) is not counted; v1 is the baseline (the oldest with contacts).
    # v2 against v1: table [[1, 3], [2, 1]]; expected sales 4·3/7 = 1.71 < 5 → Fisher.
    # Hypergeometric N = 7, 3 sales, row of 4, C(7,4) = 35: P(0) = 1, P(1) = 12, P(2) = 18,
    # P(3) = 4; observed 1 → p = (1 + 12 + 4) / 35 = 0.4857
    assert response.status_code == 200
    rows = _rows(response)
    assert rows[1]["counts"] == (4, 3, 2)
    assert rows[1]["conversion"] == pytest.approx(2 / 3)
    assert rows[1]["verdict"] == "baseline"
    assert rows[2]["counts"] == (5, 4, 1)
    assert rows[2]["conversion"] == 0.25
    assert (rows[2]["test"], rows[2]["verdict"]) == ("fisher", "no_difference")
    assert rows[2]["p"] == pytest.approx(17 / 35)
    assert rows[2]["text"] == (
        "no significant difference yet (sales / contacts: 1 / 4 against 2 / 3)"
    )
    assert list(rows) == [1, 2]  # the draft v3 is not compared
    text = response.content.decode()
    assert "66.7 %" in text and "25.0 %" in text and "Fisher" in text and "0.486" in text


@pytest.mark.parametrize(
    ("who", "v1", "v2"),
    [
        ("s2", (0, 0, 0), (3, 3, 3)),
        ("manager", (4, 3, 2), (8, 7, 4)),
        ("hr", (4, 3, 2), (8, 7, 4)),
        ("admin", (4, 3, 2), (8, 7, 4)),
        ("r1", (4, 3, 2), (0, 0, 0)),
        ("r3", (0, 0, 0), (3, 3, 3)),
    ],
)
def test_the_comparison_counts_the_outcomes_in_the_users_scope(ab, login, who, v1, v2):
    # when
    response = login(getattr(ab, who)).get(f"/scripts/{ab.script.pk}/compare/")
    # then
    rows = _rows(response)
    assert (rows[1]["counts"], rows[2]["counts"]) == (v1, v2)


def test_s2s_comparison_has_no_baseline_from_t1(ab, login_en):
    # S2 sees only R3's 3 of 3 on v2: v2 is the baseline, v1 has no contacts
    rows = _rows(login_en(ab.s2).get(f"/scripts/{ab.script.pk}/compare/"))
    assert (rows[1]["verdict"], rows[2]["verdict"]) == ("not_applicable", "baseline")
    assert rows[1]["text"] == "not applicable: no contacts"
    assert rows[1]["conversion"] is None


def test_a_team_and_a_baseline_can_be_chosen(ab, login_en):
    # when: the manager looks at T1 only, against v2
    response = login_en(ab.manager).get(
        f"/scripts/{ab.script.pk}/compare/?team={ab.t1.pk}&baseline=2"
    )
    # then
    rows = _rows(response)
    assert (rows[1]["counts"], rows[2]["counts"]) == ((4, 3, 2), (5, 4, 1))
    assert (rows[1]["verdict"], rows[2]["verdict"]) == ("no_difference", "baseline")


def test_a_team_out_of_scope_is_refused_and_counts_nothing(ab, login_en):
    response = login_en(ab.s1).get(f"/scripts/{ab.script.pk}/compare/?team={ab.t2.pk}")
    assert response.status_code == 400
    assert response.context["rows"] is None


def test_a_date_range_without_outcomes_shows_zeros_and_not_applicable(ab, login_en):
    # when
    response = login_en(ab.s1).get(
        f"/scripts/{ab.script.pk}/compare/?start=2020-01-01&end=2020-01-31"
    )
    # then
    rows = _rows(response)
    assert (rows[1]["counts"], rows[2]["counts"]) == ((0, 0, 0), (0, 0, 0))
    assert (rows[1]["verdict"], rows[2]["verdict"]) == ("not_applicable", "not_applicable")


def test_a_start_after_the_end_is_refused(ab, login_en):
    response = login_en(ab.s1).get(
        f"/scripts/{ab.script.pk}/compare/?start=2026-02-01&end=2026-01-01"
    )
    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()


def test_a_clear_difference_is_called_better_and_the_level_is_a_setting(org, login_en):
    # given: 10 of 20 contacts on v2 against 3 of 20 on v1. Pooled p̂ = 13/40 = 0.325,
    # expected sales 6.5 ≥ 5 → z-test; SE = √(0.325·0.675·(1/20 + 1/20)) = 0.14811;
    # z = (0.50 − 0.15) / 0.14811 = 2.363; p = 0.0181 < 0.05
    script = _script(org.s1.user)
    v1 = _publish(org.s1.user, script.versions.get())
    v2 = _publish(
        org.s1.user, services.script_version_create(actor=org.s1.user, script=script, body="b")
    )
    _record(org.r1, v1, " ".join(["sale"] * 3 + ["contacted"] * 17))
    _record(org.r2, v2, " ".join(["sale"] * 10 + ["contacted"] * 10))
    client = login_en(org.s1)
    # when
    default = client.get(f"/scripts/{script.pk}/compare/")
    setting_set(actor=org.admin.user, key="scripts.significance_level", value=0.01)
    strict = _rows(client.get(f"/scripts/{script.pk}/compare/"))
    # then
    rows = _rows(default)
    assert (rows[2]["test"], rows[2]["verdict"], rows[2]["text"]) == (
        "z",
        "better",
        "better than v1",
    )
    assert rows[2]["p"] == pytest.approx(0.0181, abs=5e-5)
    text = default.content.decode()
    assert "two-proportion z-test (z = 2.36)" in text and "0.018" in text
    assert strict[2]["verdict"] == "no_difference"


# -- the outcome form names a version ----------------------------------------------------------------


def test_the_outcome_form_offers_published_versions_only(ab, login):
    # given
    customer = _customer(ab.r1)
    # when
    response = login(ab.r1).get(f"/customers/{customer.pk}/")
    # then
    field = response.context["outcome_form"].fields["script_version"]
    assert [v.number for v in field.queryset] == [1, 2]
    assert "开场白 v2" in response.content.decode()


def test_a_rep_records_an_outcome_with_the_version_used(ab, login):
    # given
    customer = _customer(ab.r1)
    sale = Disposition.objects.get(code="sale")
    # when
    response = login(ab.r1).post(
        f"/customers/{customer.pk}/outcome/",
        {"disposition": sale.pk, "notes": "", "script_version": ab.v2.pk},
    )
    # then
    assert response.status_code == 302
    assert customer.outcomes.get().script_version == ab.v2


def test_an_outcome_naming_a_draft_is_refused_on_the_page(ab, login):
    # given
    customer = _customer(ab.r1)
    sale = Disposition.objects.get(code="sale")
    outcomes = Outcome.objects.count()
    # when
    response = login(ab.r1).post(
        f"/customers/{customer.pk}/outcome/",
        {"disposition": sale.pk, "notes": "", "script_version": ab.v3.pk},
    )
    # then
    assert response.status_code == 400
    assert "script_version" in response.context["outcome_form"].errors
    assert Outcome.objects.count() == outcomes


# -- queries ------------------------------------------------------------------------------------------


def _many_scripts(org, count: int) -> None:
    for n in range(count):
        script = _script(org.s1.user, code=f"s{n}", title=f"话术{n}")
        _publish(org.s1.user, script.versions.get())
        services.script_version_create(actor=org.s1.user, script=script, body="草稿")


@pytest.mark.parametrize("count", [2, 12])
def test_the_library_queries_do_not_grow_with_scripts(
    org, login, count, django_assert_max_num_queries
):
    # given
    _many_scripts(org, count)
    client = login(org.s1)
    # when / then
    with django_assert_max_num_queries(9):
        response = client.get("/scripts/")
    assert len(response.context["scripts"]) == count


@pytest.mark.parametrize("outcomes", [3, 30])
def test_the_comparison_queries_do_not_grow_with_versions_or_outcomes(
    org, login, outcomes, django_assert_max_num_queries
):
    # given
    script = _script(org.s1.user)
    versions = [_publish(org.s1.user, script.versions.get())]
    for n in range(outcomes // 3):
        versions.append(
            _publish(
                org.s1.user,
                services.script_version_create(actor=org.s1.user, script=script, body=f"v{n}"),
            )
        )
    for n in range(outcomes):
        _record(org.r1, versions[n % len(versions)], "sale" if n % 2 else "contacted")
    client = login(org.s1)
    # when / then
    with django_assert_max_num_queries(12):
        response = client.get(f"/scripts/{script.pk}/compare/")
    assert sum(row["result"].counts.outcomes for row in response.context["rows"]) == outcomes


def test_the_script_page_queries_do_not_grow_with_versions(
    org, login, django_assert_max_num_queries
):
    # given
    script = _script(org.s1.user)
    for n in range(10):
        services.script_version_create(actor=org.s1.user, script=script, body=f"v{n}")
    client = login(org.s1)
    # when / then
    with django_assert_max_num_queries(9):
        assert client.get(f"/scripts/{script.pk}/").status_code == 200
