"""Writes to the recruiting pipeline (source §2.2.1). Each is atomic, takes the acting user
(None or a label such as "demo": the system itself), checks their rights, and writes its
audit row in the same transaction."""

from telesales.people.recruiting.services.candidates import (
    MOVES as CANDIDATE_MOVES,
)
from telesales.people.recruiting.services.candidates import (
    candidate_add,
    candidate_decide,
    candidate_duplicates_check,
    candidate_earlier_applications,
    candidate_moves_for,
    candidate_offer,
    candidate_transition,
    candidate_update,
)
from telesales.people.recruiting.services.hire import candidate_hire
from telesales.people.recruiting.services.interviews import round_schedule, scorecard_submit
from telesales.people.recruiting.services.openings import (
    MAX_HEADCOUNT,
    opening_create,
    opening_fill_check,
    opening_hires,
    opening_moves_for,
    opening_transition,
    opening_update,
)
from telesales.people.recruiting.services.openings import (
    MOVES as OPENING_MOVES,
)

__all__ = [
    "CANDIDATE_MOVES",
    "MAX_HEADCOUNT",
    "OPENING_MOVES",
    "candidate_add",
    "candidate_decide",
    "candidate_duplicates_check",
    "candidate_earlier_applications",
    "candidate_hire",
    "candidate_moves_for",
    "candidate_offer",
    "candidate_transition",
    "candidate_update",
    "opening_create",
    "opening_fill_check",
    "opening_hires",
    "opening_moves_for",
    "opening_transition",
    "opening_update",
    "round_schedule",
    "scorecard_submit",
]
