"""After-hire callbacks: other apps act on a hire inside the hire's transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from telesales.org import hooks
from telesales.org.models import Employee
from telesales.org.services import employee_hire


@pytest.mark.django_db
def test_employee_hire_runs_every_registered_callback_with_the_new_employee(monkeypatch):
    # given
    seen = []
    monkeypatch.setattr(hooks, "_AFTER_HIRE", {})
    hooks.after_hire_register("probe", lambda *, actor, employee: seen.append(employee.employee_no))
    # when
    employee_hire(actor=None, employee_no="N1", name="新人", hire_date=dt.date(2026, 11, 2))
    # then
    assert seen == ["N1"]


@pytest.mark.django_db
def test_a_failing_callback_undoes_the_hire(monkeypatch):
    # given
    def refuse(*, actor, employee):
        raise RuntimeError("no")

    monkeypatch.setattr(hooks, "_AFTER_HIRE", {})
    hooks.after_hire_register("refuse", refuse)
    # when
    with pytest.raises(RuntimeError):
        employee_hire(actor=None, employee_no="N2", name="新人", hire_date=dt.date(2026, 11, 2))
    # then
    assert not Employee.objects.filter(employee_no="N2").exists()
