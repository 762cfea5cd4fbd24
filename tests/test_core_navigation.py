"""The top bar: entries the user may open, with grouped entries under one heading."""

from __future__ import annotations

import pytest

from telesales.core.navigation import MenuGroup, menu_group_register, menu_tree


@pytest.fixture
def groups(monkeypatch):
    from telesales.core import navigation

    monkeypatch.setattr(navigation, "_GROUPS", {})
    menu_group_register(MenuGroup("people", "People"))


def test_a_group_takes_the_place_of_its_first_item_and_holds_its_items(groups):
    # given
    entries = [
        {"key": "home", "label": "Home", "url": "/", "group": ""},
        {"key": "training", "label": "Training", "url": "/training/", "group": "people"},
        {"key": "calls", "label": "Calls", "url": "/calls/", "group": ""},
        {"key": "recruiting", "label": "Recruiting", "url": "/recruiting/", "group": "people"},
    ]
    # when
    tree = menu_tree(entries)
    # then
    assert [item["key"] for item in tree] == ["home", "people", "calls"]
    assert [child["key"] for child in tree[1]["children"]] == ["training", "recruiting"]
    assert tree[1]["active"] is False


def test_a_group_is_active_when_one_of_its_items_is(groups):
    # given
    entries = [
        {
            "key": "training",
            "label": "Training",
            "url": "/training/",
            "group": "people",
            "active": True,
        },
    ]
    # when
    tree = menu_tree(entries)
    # then
    assert tree[0]["active"] is True


def test_an_item_naming_an_unknown_group_stays_on_the_top_bar(groups):
    # given
    entries = [{"key": "x", "label": "X", "url": "/x/", "group": "nowhere"}]
    # when / then
    assert menu_tree(entries) == entries


@pytest.mark.django_db
def test_the_page_shows_a_group_as_a_heading_with_its_links(org, login_en, monkeypatch, groups):
    # given: the supervisor sees at least one grouped entry
    from telesales.core import navigation

    item = navigation.MenuItem(
        "probe", "Probe page", "home", lambda user: True, 999, group="people"
    )
    monkeypatch.setattr(navigation, "_MENU", [*navigation._MENU, item])
    # when
    html = login_en(org.s1).get("/").content.decode()
    # then
    assert '<details class="menu-group"' in html
    assert "<summary>People</summary>" in html
    assert "Probe page" in html


@pytest.mark.django_db
def test_the_employee_profile_links_to_the_pages_about_that_person(org, login_en):
    # when: the supervisor opens a rep's profile
    html = login_en(org.s1).get(f"/people/{org.r1.pk}/").content.decode()
    # then
    assert 'data-testid="profile-links"' in html
    assert f"/targets/employee/{org.r1.pk}/" in html


@pytest.mark.django_db
def test_a_profile_link_hidden_from_the_user_is_not_shown(org, login_en):
    # given: the staff member sees their own profile; targets are for reps only
    html = login_en(org.staff).get(f"/people/{org.staff.pk}/").content.decode()
    # then
    assert "/targets/employee/" not in html


def test_a_group_with_one_entry_for_the_user_shows_that_entry_on_its_own(groups):
    # given: a rep sees only their own entry of the group
    entries = [{"key": "training-mine", "label": "My training", "url": "/t/", "group": "people"}]
    # when / then
    assert menu_tree(entries) == entries
