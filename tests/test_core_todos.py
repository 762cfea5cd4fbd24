"""The start page's to-do list, filled by the apps."""

from __future__ import annotations

import pytest

from telesales.core import todos
from telesales.core.todos import Todo, todo_source_register, todos_for


@pytest.fixture
def sources(monkeypatch):
    monkeypatch.setattr(todos, "_SOURCES", {})


def test_urgent_todos_come_first(sources):
    # given
    todo_source_register("a", lambda user, today: [Todo("Later", "/a/")])
    todo_source_register("b", lambda user, today: [Todo("Overdue", "/b/", urgent=True)])
    # when
    labels = [todo.label for todo in todos_for(None, None)]
    # then
    assert labels == ["Overdue", "Later"]


@pytest.mark.django_db
def test_the_start_page_lists_the_users_todos_and_nobody_elses(org, login_en, sources):
    # given: a source that has something for the supervisor S1 only
    todo_source_register(
        "probe",
        lambda user, today: (
            [Todo("Acknowledge 2 reviews", "/x/", urgent=True)]
            if user.employee.pk == org.s1.pk
            else []
        ),
    )
    # when
    mine = login_en(org.s1).get("/").content.decode()
    theirs = login_en(org.s2).get("/").content.decode()
    # then
    assert 'class="urgent"><a href="/x/">Acknowledge 2 reviews</a>' in mine
    assert "Acknowledge 2 reviews" not in theirs
