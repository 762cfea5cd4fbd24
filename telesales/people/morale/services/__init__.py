"""Writes of motivation and team climate (source §2.2.4). Each is atomic, takes the acting
user (None or a label such as "demo": the system itself), checks their rights, and writes its
audit row in the same transaction."""

from telesales.people.morale.services.activities import (
    team_activity_record,
    team_activity_update,
)
from telesales.people.morale.services.checkins import checkin_record, checkin_update
from telesales.people.morale.services.ledger import ledger_entry_grant, ledger_entry_reverse

__all__ = [
    "checkin_record",
    "checkin_update",
    "ledger_entry_grant",
    "ledger_entry_reverse",
    "team_activity_record",
    "team_activity_update",
]
