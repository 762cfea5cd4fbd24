"""What the recruiting services share: who acts, and the fields the audit log keeps."""

from __future__ import annotations

from telesales.org.models import Employee

OPENING_FIELDS = [
    "team_id",
    "position",
    "role",
    "headcount",
    "status",
    "opened_on",
    "wanted_by",
    "hiring_manager_id",
    "owner_id",
    "notes",
]
CANDIDATE_FIELDS = [
    "opening_id",
    "name",
    "phone",
    "email",
    "source",
    "cv_notes",
    "stage",
    "offer_start_date",
    "offer_note",
    "decision",
    "employee_id",
]
ROUND_FIELDS = ["candidate_id", "number", "kind", "interviewer_id", "scheduled_at"]


def user_of(actor):
    """The acting login, or None for the system (None or a label such as "demo")."""
    return actor if getattr(actor, "pk", None) else None


def actor_label(actor) -> str:
    user = user_of(actor)
    if user is not None:
        return (user.get_full_name() or user.get_username())[:150]
    return str(actor or "system")[:150]


def employee_of(actor) -> Employee | None:
    user = user_of(actor)
    if user is None:
        return None
    try:
        return user.employee
    except Employee.DoesNotExist:
        return None
