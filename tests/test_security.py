"""Security settings: deploy check clean in production, argon2, throttling, CSP, audit log."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

from telesales.core.audit import audit_record
from telesales.core.models import AuditEvent

ROOT = Path(__file__).resolve().parent.parent


def test_deploy_check_is_clean_under_production_settings(tmp_path):
    # given: the environment a production install sets (README)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "p" * 20 + "roduction-secret-key-with-enough-entropy-0123456789",
        "DEBUG": "0",
        "TELESALES_HTTPS": "1",
        "ALLOWED_HOSTS": "sales.example.com",
        "TELESALES_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    # when
    result = subprocess.run(
        [sys.executable, "-m", "telesales.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_passwords_are_hashed_with_argon2():
    from django.conf import settings

    from config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert Argon2PasswordHasher().encode("secret", "saltsaltsalt").startswith("argon2$argon2id$")
    assert settings.AUTH_USER_MODEL == "core.User"


def test_login_is_throttled_after_five_failures(org, client, settings):
    # given
    settings.AXES_ENABLED = True
    # when
    for _ in range(5):
        client.post(
            "/accounts/login/", {"username": "r1", "password": "wrong"}, REMOTE_ADDR="10.0.0.1"
        )
    response = client.post(
        "/accounts/login/",
        {"username": "r1", "password": "Tele-sales-2026!"},
        REMOTE_ADDR="10.0.0.1",
    )
    # then: even the right password is refused while locked
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_pages_send_a_strict_content_security_policy(org, login):
    response = login(org.s1).get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "cdn" not in response.content.decode().lower()


def test_audit_log_is_append_only(org):
    # given
    event = audit_record(
        actor=org.admin.user, action="test.change", obj=org.t1, before={"a": 1}, after={"a": 2}
    )
    # when / then
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).before == {"a": 1}


def test_services_write_audit_rows(org):
    # given
    from datetime import date

    from telesales.org.services import employee_leave

    # when
    employee_leave(
        actor=org.hr.user,
        employee=org.r2,
        date=date(2026, 6, 30),
        voluntary=False,
        reason="试用期未通过",
    )
    # then
    event = AuditEvent.objects.filter(action="employee.update", object_id=str(org.r2.pk)).latest(
        "id"
    )
    assert event.actor == org.hr.user
    assert event.before == {"leave_date": None}
    assert event.after == {"leave_date": "2026-06-30"}
