"""Shared fixtures. Data is built through the real services, as users would build it."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from telesales.org.models import Department, Employee, Role, Team
from telesales.org.services import (
    company_default,
    department_ensure,
    employee_hire,
    employee_login_create,
    team_ensure,
    team_set_supervisor,
)

PASSWORD = "Tele-sales-2026!"


def pytest_report_header(config):
    url = os.environ.get("DATABASE_URL", "")
    engine = "PostgreSQL" if url.startswith(("postgres", "postgresql")) else "SQLite"
    return [f"telesales test database: {engine}"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = False
    # Argon2 is the real hasher; tests make many logins and need a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Org:
    """A small company: manager M1 over supervisors S1 (team T1) and S2 (team T2)."""

    sales: Department
    t1: Team
    t2: Team
    manager: Employee
    s1: Employee
    s2: Employee
    r1: Employee
    r2: Employee
    r3: Employee
    hr: Employee
    staff: Employee
    admin: Employee

    def user(self, employee: Employee):
        return employee.user


def _person(no, name, role, *, team=None, manager=None, hire=dt.date(2025, 1, 6), department=None):
    employee = employee_hire(
        actor=None,
        employee_no=no,
        name=name,
        role=role,
        team=team,
        manager=manager,
        hire_date=hire,
        department=department,
    )
    employee_login_create(actor=None, employee=employee, username=no.lower(), password=PASSWORD)
    return employee


@pytest.fixture
def org(db) -> Org:
    company = company_default()
    sales = department_ensure(
        actor=None, company=company, code="sales", name="销售部", kind=Department.Kind.SALES
    )
    hr_dept = department_ensure(
        actor=None, company=company, code="hr", name="人力资源部", kind=Department.Kind.HR
    )
    cs = department_ensure(
        actor=None, company=company, code="cs", name="客服部", kind=Department.Kind.CUSTOMER_SERVICE
    )
    t1 = team_ensure(actor=None, code="T1", department=sales, name="一组")
    t2 = team_ensure(actor=None, code="T2", department=sales, name="二组")
    manager = _person("M1", "王经理", Role.MANAGER, department=sales)
    s1 = _person("S1", "李主管", Role.SUPERVISOR, team=t1, manager=manager)
    s2 = _person("S2", "赵主管", Role.SUPERVISOR, team=t2, manager=manager)
    team_set_supervisor(actor=None, team=t1, supervisor=s1)
    team_set_supervisor(actor=None, team=t2, supervisor=s2)
    r1 = _person("R1", "张一", Role.REP, team=t1, manager=s1)
    r2 = _person("R2", "张二", Role.REP, team=t1, manager=s1)
    r3 = _person("R3", "张三", Role.REP, team=t2, manager=s2)
    hr = _person("H1", "人事", Role.HR, department=hr_dept)
    staff = _person("C1", "客服", Role.STAFF, department=cs)
    admin = _person("A1", "管理员", Role.ADMIN, department=hr_dept)
    return Org(sales, t1, t2, manager, s1, s2, r1, r2, r3, hr, staff, admin)


@pytest.fixture
def login(client):
    def _login(employee: Employee):
        client.force_login(employee.user)
        return client

    return _login


@pytest.fixture
def user_model():
    return get_user_model()


@pytest.fixture
def english():
    """Messages compared as text in a test are compared in English."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def login_en(login):
    """Log in with the user's language set to English, so that pages compare as English text."""

    def _login(employee: Employee):
        employee.user.language = "en"
        employee.user.save(update_fields=["language"])
        return login(employee)

    return _login
