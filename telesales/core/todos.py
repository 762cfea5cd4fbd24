"""The start page's to-do list: each app offers what the user has to do in it today
(reviews to acknowledge, actions overdue, a report due), registered from its ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Todo:
    label: str  # a translated sentence, with its count in it
    url: str
    urgent: bool = False  # overdue or due today


TodoSource = Callable[[object, dt.date], list[Todo]]  # (user, today) -> to-dos

_SOURCES: dict[str, TodoSource] = {}


def todo_source_register(key: str, source: TodoSource) -> None:
    _SOURCES[key] = source


def todos_for(user, today: dt.date) -> list[Todo]:
    """Everything the user has to do, urgent first; each source costs a bounded number of
    queries whatever the data."""
    todos = [todo for source in _SOURCES.values() for todo in source(user, today)]
    return sorted(todos, key=lambda todo: not todo.urgent)
