"""The scope matrix of PRODUCT.md §2: every page and export, in scope allowed, out of scope refused."""

import csv
import io

import pytest

from telesales.org import access
from telesales.org.models import Employee, EmployeeEvent, Role, Team
from telesales.org.services import employee_hire


def _csv_numbers(response) -> set[str]:
    text = response.content.decode("utf-8-sig")
    return {row["employee_no"] for row in csv.DictReader(io.StringIO(text))}


SCOPES = {
    # who: (employees visible, teams visible)
    "r1": ({"R1"}, set()),
    "s1": ({"S1", "R1", "R2"}, {"T1"}),
    "s2": ({"S2", "R3"}, {"T2"}),
    "manager": ({"M1", "S1", "S2", "R1", "R2", "R3"}, {"T1", "T2"}),
    "hr": ({"M1", "S1", "S2", "R1", "R2", "R3", "H1", "C1", "A1"}, {"T1", "T2"}),
    "staff": ({"C1"}, set()),
    "admin": ({"M1", "S1", "S2", "R1", "R2", "R3", "H1", "C1", "A1"}, {"T1", "T2"}),
}


@pytest.mark.parametrize("who", sorted(SCOPES))
def test_scope_selectors(org, who):
    # given
    user = getattr(org, who).user
    expected_people, expected_teams = SCOPES[who]
    # when
    people = set(access.employees_visible_to(user).values_list("employee_no", flat=True))
    teams = set(access.teams_visible_to(user).values_list("code", flat=True))
    # then
    assert people == expected_people
    assert teams == expected_teams


@pytest.mark.parametrize("who", sorted(SCOPES))
def test_employee_pages_and_export_follow_scope(org, login, who):
    # given
    client = login(getattr(org, who))
    expected_people, _teams = SCOPES[who]
    everyone = Employee.objects.all()
    # when / then: each profile opens exactly when in scope
    for employee in everyone:
        response = client.get(f"/people/{employee.pk}/")
        assert response.status_code == (200 if employee.employee_no in expected_people else 404), (
            employee
        )
    # the list and its export hold exactly the scope
    listing = client.get("/people/?status=all")
    assert listing.status_code == 200
    shown = {e.employee_no for e in listing.context["page"]}
    assert shown == expected_people
    export = client.get("/people/export.csv?status=all")
    assert export.status_code == 200
    assert _csv_numbers(export) == expected_people


@pytest.mark.parametrize("who", sorted(SCOPES))
def test_team_pages_follow_scope(org, login, who):
    # given
    client = login(getattr(org, who))
    _people, expected_teams = SCOPES[who]
    # when
    listing = client.get("/teams/")
    # then
    if expected_teams:
        assert listing.status_code == 200
        assert {t.code for t in listing.context["teams"]} == expected_teams
    else:
        assert listing.status_code == 404
    for team in Team.objects.all():
        response = client.get(f"/teams/{team.pk}/")
        assert response.status_code == (200 if team.code in expected_teams else 404)


@pytest.mark.parametrize("who", sorted(SCOPES))
def test_home_shows_only_the_scope(org, login, who):
    # given
    client = login(getattr(org, who))
    expected_people, expected_teams = SCOPES[who]
    # when
    response = client.get("/")
    # then
    assert response.status_code == 200
    assert response.context["people_count"] == len(expected_people)
    assert {t.code for t in response.context["teams"]} == expected_teams


def test_anonymous_is_sent_to_login(org, client):
    for url in [
        "/",
        "/teams/",
        "/people/",
        "/people/export.csv",
        f"/people/{org.r1.pk}/",
        "/imports/",
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_leaver_login_opens_nothing(org, login):
    # given: R1 left yesterday
    from django.utils import timezone

    from telesales.org.services import employee_leave

    employee_leave(
        actor=None, employee=org.r1, date=timezone.localdate(), voluntary=True, reason="个人发展"
    )
    client = login(Employee.objects.get(pk=org.r1.pk))
    # when
    response = client.get(f"/people/{org.r1.pk}/")
    # then
    assert response.status_code == 404
    assert access.user_role(Employee.objects.get(pk=org.r1.pk).user) is None


@pytest.mark.parametrize("who", ["r1", "s1", "manager", "hr", "staff"])
def test_org_admin_is_refused_and_changes_nothing(org, login, who):
    # given
    client = login(getattr(org, who))
    before = list(Employee.objects.order_by("pk").values_list("name", "team_id", "role"))
    # when
    page = client.get("/admin/org/employee/")
    post = client.post(
        f"/admin/org/employee/{org.r3.pk}/change/",
        {"employee_no": "R3", "name": "changed", "role": Role.MANAGER, "hire_date": "2025-01-06"},
    )
    # then
    assert page.status_code == 302
    assert post.status_code == 302
    assert list(Employee.objects.order_by("pk").values_list("name", "team_id", "role")) == before


def test_admin_reaches_org_admin(org, login):
    client = login(org.admin)
    assert client.get("/admin/org/employee/").status_code == 200


def test_employee_list_queries_are_bounded(org, login, django_assert_max_num_queries):
    # given: a large team
    for n in range(60):
        employee_hire(
            actor=None,
            employee_no=f"X{n:03}",
            name=f"员工{n}",
            role=Role.REP,
            team=org.t1,
            manager=org.s1,
            hire_date=org.r1.hire_date,
        )
    client = login(org.hr)
    # when / then: the page costs the same few queries however many people it lists
    with django_assert_max_num_queries(12):
        response = client.get("/people/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
    with django_assert_max_num_queries(12):
        assert client.get("/people/export.csv").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/teams/{org.t1.pk}/").status_code == 200
    # the start page: 14, and one query for each of the appraisal to-do sources (the rating
    # requests to give; the agreements and interviews waiting for this person)
    with django_assert_max_num_queries(16):
        assert client.get("/").status_code == 200


def test_history_records_transfer_and_promotion(org):
    # given
    from datetime import date

    from telesales.org.services import employee_promote, employee_transfer

    # when
    employee_transfer(actor=org.s1.user, employee=org.r1, team=org.t2, date=date(2026, 3, 1))
    employee_promote(
        actor=org.s1.user, employee=org.r1, date=date(2026, 4, 1), role=Role.SUPERVISOR
    )
    # then
    kinds = list(org.r1.events.values_list("kind", "date"))
    assert kinds == [
        (EmployeeEvent.Kind.HIRE, date(2025, 1, 6)),
        (EmployeeEvent.Kind.TRANSFER, date(2026, 3, 1)),
        (EmployeeEvent.Kind.PROMOTION, date(2026, 4, 1)),
    ]
    assignments = list(org.r1.team_assignments.values_list("team__code", "start", "end"))
    assert assignments == [
        ("T1", date(2025, 1, 6), date(2026, 3, 1)),
        ("T2", date(2026, 3, 1), None),
    ]


def test_transfer_moves_scope_to_the_new_supervisor(org):
    # given
    from datetime import date

    from telesales.org.services import employee_transfer

    # when
    employee_transfer(actor=None, employee=org.r1, team=org.t2, date=date(2026, 5, 1))
    # then
    org.r1.refresh_from_db()
    assert org.r1.manager == org.s2
    s1_user = type(org.s1.user).objects.get(pk=org.s1.user.pk)
    s2_user = type(org.s2.user).objects.get(pk=org.s2.user.pk)
    assert "R1" not in set(
        access.employees_visible_to(s1_user).values_list("employee_no", flat=True)
    )
    assert "R1" in set(access.employees_visible_to(s2_user).values_list("employee_no", flat=True))


def test_admin_who_left_loses_access(org):
    from datetime import date

    from telesales.org.services import employee_leave

    employee_leave(actor=None, employee=org.admin, date=date(2026, 1, 31), voluntary=True)
    user = type(org.admin.user).objects.get(pk=org.admin.user.pk)
    assert access.user_role(user) is None
    assert not access.employees_visible_to(user).exists()


def test_employee_export_reimports_unchanged(org, login):
    # given: one employee with an extension, exported by HR
    from telesales.core.imports.registry import get_importer
    from telesales.core.imports.services import import_execute
    from telesales.org.services import extension_assign

    extension_assign(actor=None, employee=org.r1, number="8001", valid_from=org.r1.hire_date)
    export = login(org.hr).get("/people/export.csv?status=all").content
    # when
    result, _info = import_execute(
        importer=get_importer("employees"), stream=io.BytesIO(export), actor=None, dry_run=False
    )
    # then: nothing new, nothing changed
    assert (result.rows, result.stored, result.updated, result.rejected) == (9, 0, 0, [])
    assert result.duplicates == 9


def test_team_membership_on_a_date_follows_the_history(org):
    from datetime import date

    from telesales.org.selectors import team_member_ids_on
    from telesales.org.services import employee_transfer

    employee_transfer(actor=None, employee=org.r1, team=org.t2, date=date(2026, 3, 1))
    assert team_member_ids_on([org.t1.pk], date(2026, 2, 28)) == {org.s1.pk, org.r1.pk, org.r2.pk}
    assert team_member_ids_on([org.t1.pk], date(2026, 3, 1)) == {org.s1.pk, org.r2.pk}


def test_visible_q_filters_rows_by_their_employee(org):
    from telesales.org.models import Extension
    from telesales.org.services import extension_assign

    for employee, number in ((org.r1, "8001"), (org.r3, "8003")):
        extension_assign(
            actor=None, employee=employee, number=number, valid_from=employee.hire_date
        )
    s1_user = type(org.s1.user).objects.get(pk=org.s1.user.pk)
    hr_user = type(org.hr.user).objects.get(pk=org.hr.user.pk)
    assert list(
        Extension.objects.filter(access.visible_q(s1_user)).values_list("number", flat=True)
    ) == ["8001"]
    assert Extension.objects.filter(access.visible_q(hr_user)).count() == 2
