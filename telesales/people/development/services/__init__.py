"""Writes to development plans, goals, mentors, rotations and the successor bench (source
§2.2.3). Each is atomic, takes the acting user (None or a label such as "demo": the system
itself), checks their rights, and writes its audit row in the same transaction."""

from telesales.people.development.services.mentors import mentorship_end, mentorship_start
from telesales.people.development.services.plans import (
    MOVES,
    Move,
    goal_add,
    goal_progress_update,
    goal_update,
    plan_comment_add,
    plan_create,
    plan_moves_for,
    plan_transition,
    plan_update,
)
from telesales.people.development.services.rotations import rotation_record, rotation_update
from telesales.people.development.services.succession import (
    nomination_create,
    nomination_reassess,
    nomination_withdraw,
)

__all__ = [
    "MOVES",
    "Move",
    "goal_add",
    "goal_progress_update",
    "goal_update",
    "mentorship_end",
    "mentorship_start",
    "nomination_create",
    "nomination_reassess",
    "nomination_withdraw",
    "plan_comment_add",
    "plan_create",
    "plan_moves_for",
    "plan_transition",
    "plan_update",
    "rotation_record",
    "rotation_update",
]
