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
    group: str = ""  # the key of a MenuGroup; its items show under one heading


@dataclass(frozen=True)
class MenuGroup:
    key: str
    label: Promise


_MENU: list[MenuItem] = []
_GROUPS: dict[str, MenuGroup] = {}


def menu_group_register(group: MenuGroup) -> None:
    _GROUPS[group.key] = group


def menu_register(item: MenuItem) -> None:
    if all(existing.key != item.key for existing in _MENU):
        _MENU.append(item)
        _MENU.sort(key=lambda i: i.order)


def menu_for(user) -> list[dict]:
    """The entries the user may open, in menu order (groups included as plain entries)."""
    return [
        {
            "key": item.key,
            "label": str(item.label),
            "url": reverse(item.url_name),
            "group": item.group,
        }
        for item in _MENU
        if item.visible(user)
    ]


def menu_tree(entries: list[dict]) -> list[dict]:
    """The entries as the top bar shows them: a group becomes one entry, at the place of
    its first item, with its items as children."""
    tree: list[dict] = []
    groups: dict[str, dict] = {}
    for entry in entries:
        key = entry.get("group") or ""
        if not key or key not in _GROUPS:
            tree.append(entry)
            continue
        if key not in groups:
            groups[key] = {"key": key, "label": str(_GROUPS[key].label), "children": []}
            tree.append(groups[key])
        groups[key]["children"].append(entry)
    for group in groups.values():
        group["active"] = any(child.get("active") for child in group["children"])
    # A heading over a single entry only hides it: that entry stands on its own.
    return [item["children"][0] if len(item.get("children", ())) == 1 else item for item in tree]


@dataclass(frozen=True)
class ProfileLink:
    """A page about one person that another app offers on their employee profile."""

    key: str
    label: Promise
    url: Callable[[object], str]  # (employee) -> address
    visible: Callable[[object, object], bool]  # (user, employee) -> may open it
    order: int = 100


_PROFILE_LINKS: dict[str, ProfileLink] = {}


def profile_link_register(link: ProfileLink) -> None:
    _PROFILE_LINKS[link.key] = link


def profile_links_for(user, employee) -> list[dict[str, str]]:
    return [
        {"key": link.key, "label": str(link.label), "url": link.url(employee)}
        for link in sorted(_PROFILE_LINKS.values(), key=lambda item: item.order)
        if link.visible(user, employee)
    ]
