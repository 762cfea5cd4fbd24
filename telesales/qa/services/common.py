"""What the QA services share: who acts, and the audited fields of each row."""

from __future__ import annotations

from telesales.org.models import Employee

REVIEW_FIELDS = [
    "call_id",
    "version_id",
    "reviewer_id",
    "kind",
    "calibrates_id",
    "status",
    "source",
    "score",
    "instant_failed",
    "passed",
    "comment",
    "reviewed_at",
    "acknowledged_at",
    "acknowledgement",
]
SESSION_FIELDS = ["kind", "coach_id", "rep_id", "held_on", "customer_id", "notes"]
ACTION_FIELDS = [
    "session_id",
    "description",
    "owner_id",
    "due_on",
    "status",
    "done_at",
    "done_note",
]


def user_of(actor):
    """The acting user, or None for the system (None, or a label such as "demo")."""
    return actor if getattr(actor, "pk", None) else None


def employee_of(actor) -> Employee | None:
    user = user_of(actor)
    if user is None:
        return None
    try:
        return user.employee
    except Employee.DoesNotExist:
        return None
