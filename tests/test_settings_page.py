"""The settings page: every declared setting, changed by administrators only, audited, and
the effective-call threshold recomputing the call roll-ups (PRODUCT.md §4, §9)."""

from __future__ import annotations

import pytest

from telesales.core.config import setting_definitions, setting_get
from telesales.core.models import AuditEvent, Setting
from telesales.core.periods import period_parse
from telesales.kpi.calls import call_kpis
from telesales.org.scopes import scope_for_employee
from tests.calls_files import give_extensions, import_calls, outbound

THRESHOLD = "calls__effective_seconds"
PATTERN = "calls__internal_pattern"


@pytest.fixture
def login(login):
    """Log in with English as the user's language: pages are compared in English."""

    def _login(employee):
        employee.user.language = "en"
        employee.user.save(update_fields=["language"])
        return login(employee)

    return _login


def _post(client, capture, **values):
    data = {}
    for definition in setting_definitions():
        value = setting_get(definition.key)
        data[definition.key.replace(".", "__")] = (
            ",".join(value) if isinstance(value, list) else value
        )
    data.update(values)
    with capture(execute=True):
        return client.post("/settings/", data)


def _effective_calls(employee) -> int:
    return call_kpis(scope_for_employee(employee), period_parse("2026-09"))["effective_calls"].value


def test_the_page_lists_every_declared_setting(org, login):
    # given
    client = login(org.admin)
    # when
    response = client.get("/settings/")
    # then
    assert response.status_code == 200
    keys = [row["definition"].key for row in response.context["rows"]]
    assert keys == [d.key for d in setting_definitions()]
    assert {"calls.effective_seconds", "calls.internal_pattern"} <= set(keys)
    page = response.content.decode()
    assert "Effective call threshold (seconds)" in page
    assert "Changing it recomputes every daily roll-up." in page
    assert '<code data-testid="value-calls.effective_seconds">60</code>' in page
    assert f'name="{THRESHOLD}" value="60"' in page


def test_changing_the_threshold_recomputes_the_effective_calls(
    org, login, django_capture_on_commit_callbacks
):
    # given: R1 talked 75 s, 45 s and 30 s in September
    give_extensions(org)
    import_calls(
        [
            outbound("8001", "13812341234", "2026-09-01 10:00:00", billsec=75),
            outbound("8001", "13812341235", "2026-09-01 11:00:00", billsec=45),
            outbound("8001", "13812341236", "2026-09-02 10:00:00", billsec=30),
        ]
    )
    assert _effective_calls(org.r1) == 1
    client = login(org.admin)
    # when
    response = _post(client, django_capture_on_commit_callbacks, **{THRESHOLD: "40"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    assert setting_get("calls.effective_seconds") == 40
    assert _effective_calls(org.r1) == 2
    event = AuditEvent.objects.get(action="setting.change")
    assert (event.actor, event.before, event.after) == (
        org.admin.user,
        {"value": 60},
        {"value": 40},
    )
    page = client.get("/settings/").content.decode()
    assert "Saved: Effective call threshold (seconds)." in page
    assert '<code data-testid="value-calls.effective_seconds">40</code>' in page
    assert f"changed by {org.admin.user.username}" in page
    # and the statistics page shows it
    stats = client.get(f"/calls/stats/rep/{org.r1.pk}/?period=2026-09")
    assert '<span data-testid="kpi-effective_calls">2</span>' in stats.content.decode()


def test_saving_unchanged_values_changes_nothing(org, login, django_capture_on_commit_callbacks):
    # given
    client = login(org.admin)
    # when
    response = _post(client, django_capture_on_commit_callbacks)
    # then
    assert response.status_code == 302
    assert not Setting.objects.exists()
    assert not AuditEvent.objects.filter(action="setting.change").exists()
    assert "Nothing was changed." in client.get("/settings/").content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("abc", "Enter a whole number."),
        ("", "This field is required."),
    ],
)
def test_a_bad_value_is_a_form_error_and_nothing_is_saved(
    org, login, django_capture_on_commit_callbacks, value, message
):
    # given
    client = login(org.admin)
    # when
    response = _post(
        client, django_capture_on_commit_callbacks, **{THRESHOLD: value, PATTERN: r"\d{1,4}"}
    )
    # then: neither setting is saved
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Setting.objects.exists()
    assert not AuditEvent.objects.filter(action="setting.change").exists()


def test_the_internal_pattern_is_saved(org, login, django_capture_on_commit_callbacks):
    client = login(org.admin)
    _post(client, django_capture_on_commit_callbacks, **{PATTERN: r"\d{1,4}|A\d+"})
    assert setting_get("calls.internal_pattern") == r"\d{1,4}|A\d+"
    assert setting_get("calls.effective_seconds") == 60


@pytest.mark.parametrize("who", ["r1", "s1", "manager", "hr", "staff"])
def test_others_get_404_and_nothing_changes(org, login, django_capture_on_commit_callbacks, who):
    # given
    client = login(getattr(org, who))
    audit = AuditEvent.objects.count()
    # when
    page = client.get("/settings/")
    post = _post(client, django_capture_on_commit_callbacks, **{THRESHOLD: "10"})
    # then
    assert (page.status_code, post.status_code) == (404, 404)
    assert setting_get("calls.effective_seconds") == 60
    assert AuditEvent.objects.count() == audit


def test_a_leaver_administrator_is_refused(org, login):
    # given
    from django.utils import timezone

    from telesales.org.services import employee_leave

    employee_leave(actor=None, employee=org.admin, date=timezone.localdate(), voluntary=True)
    org.admin.refresh_from_db()
    # when
    response = login(org.admin).get("/settings/")
    # then
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("targets__ramp_up", "40,abc", "Write the ramp-up as percentages"),
        ("targets__ramp_up", "40,300", "between 0 and 200"),
        ("targets__pipeline_weights", "medium", "Write level:percent pairs"),
        ("targets__pipeline_weights", "high:150", "Write level:percent pairs"),
    ],
)
def test_bad_target_settings_are_refused_and_nothing_is_saved(
    org, login, django_capture_on_commit_callbacks, key, value, message
):
    # given an administrator on the settings page
    client = login(org.admin)
    # when a target setting is given a value it cannot read
    response = _post(client, django_capture_on_commit_callbacks, **{key: value})
    # then the form names the problem and nothing is saved
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Setting.objects.exists()


def test_the_ramp_up_setting_changes_the_capacity_split(
    org, login, django_capture_on_commit_callbacks
):
    from telesales.targets.capacity import ramp_factors

    _post(login(org.admin), django_capture_on_commit_callbacks, targets__ramp_up="50,100")
    assert [str(f) for f in ramp_factors()] == ["0.5", "1"]
