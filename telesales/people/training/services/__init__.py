"""Writes to training (source §2.2.2). Each is atomic, takes the acting user (None or a label
such as "demo": the system itself), checks their rights, and writes its audit row in the
same transaction."""

from telesales.people.training.services.assessments import ScoreEntry, session_scores_record
from telesales.people.training.services.common import score_check
from telesales.people.training.services.plans import (
    is_new_hire,
    occurrences,
    onboarding_assign,
    onboarding_assign_recent,
    onboarding_on_hire,
    recurring_plan_create,
)
from telesales.people.training.services.sessions import (
    MOVES,
    Move,
    session_attendance_record,
    session_create,
    session_invite,
    session_moves_for,
    session_transition,
    status_label,
)
from telesales.people.training.services.templates import (
    ItemData,
    template_activate,
    template_active,
    template_create,
    template_items_save,
)

__all__ = [
    "MOVES",
    "ItemData",
    "Move",
    "ScoreEntry",
    "is_new_hire",
    "occurrences",
    "onboarding_assign",
    "onboarding_assign_recent",
    "onboarding_on_hire",
    "recurring_plan_create",
    "score_check",
    "session_attendance_record",
    "session_create",
    "session_invite",
    "session_moves_for",
    "session_scores_record",
    "session_transition",
    "status_label",
    "template_activate",
    "template_active",
    "template_create",
    "template_items_save",
]
