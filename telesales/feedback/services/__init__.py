"""Writes to tickets, SLA rules and surveys (source §2.5). Each is atomic, takes the acting
user (None or a label such as "demo": the system itself), checks their rights, and writes its
audit row and the ticket's history in the same transaction."""

from telesales.feedback.services.history import (
    Survey,
    TicketHistory,
    survey_responses_store,
    tickets_history_store,
)
from telesales.feedback.services.sla import (
    MAX_SLA_HOURS,
    sla_hours_for,
    sla_rule_set,
    sla_rules_update,
)
from telesales.feedback.services.tickets import (
    FOLLOW_UP,
    MOVES,
    WORKER,
    Move,
    ticket_assign,
    ticket_comment_add,
    ticket_moves_for,
    ticket_open,
    ticket_route,
    ticket_transition,
)

__all__ = [
    "FOLLOW_UP",
    "MAX_SLA_HOURS",
    "MOVES",
    "WORKER",
    "Move",
    "Survey",
    "TicketHistory",
    "sla_hours_for",
    "sla_rule_set",
    "sla_rules_update",
    "survey_responses_store",
    "ticket_assign",
    "ticket_comment_add",
    "ticket_moves_for",
    "ticket_open",
    "ticket_route",
    "ticket_transition",
    "tickets_history_store",
]
