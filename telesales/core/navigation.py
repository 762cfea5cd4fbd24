"""The main menu: apps add their entries here from ready(), each with who may see it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: Promise
    url_name: str
    visible: Callable[[object], bool]
    order: int = 100


_MENU: list[MenuItem] = []


def menu_register(item: MenuItem) -> None:
    if all(existing.key != item.key for existing in _MENU):
        _MENU.append(item)
        _MENU.sort(key=lambda i: i.order)


def menu_for(user) -> list[dict[str, str]]:
    return [
        {"key": item.key, "label": str(item.label), "url": reverse(item.url_name)}
        for item in _MENU
        if item.visible(user)
    ]
