"""The settings of the review queue (declared in wiring, changed on the settings page) and
how they are read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

SAMPLE_PER_REP_WEEK = "qa.sample_per_rep_week"
OUTCOME_CODES = "qa.outcome_codes"
LONG_CALL_SECONDS = "qa.long_call_seconds"
SHORT_CALL_SECONDS = "qa.short_call_seconds"
RULE_PICKS_PER_REP_WEEK = "qa.rule_picks_per_rep_week"

DEFAULTS = {
    SAMPLE_PER_REP_WEEK: 3,
    OUTCOME_CODES: "",
    LONG_CALL_SECONDS: 600,
    SHORT_CALL_SECONDS: 15,
    RULE_PICKS_PER_REP_WEEK: 5,
}


@dataclass(frozen=True)
class QueueRules:
    sample: int
    outcome_codes: frozenset[str]
    long_seconds: int
    short_seconds: int
    rule_cap: int


def codes_split(text: str) -> list[str]:
    for separator in ("，", "、", ";", "；", " "):
        text = (text or "").replace(separator, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


def flagged_outcome_codes() -> list[str]:
    """The default: the outcomes flagged sale, do not call or not interested."""
    from telesales.crm.models import Disposition

    return list(
        Disposition.objects.filter(Q(sale=True) | Q(dnc=True) | Q(not_interested=True))
        .order_by("order", "code")
        .values_list("code", flat=True)
    )


def outcome_codes_validate(value: str) -> None:
    from telesales.crm.models import Disposition

    codes = codes_split(value)
    known = set(Disposition.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError(
            _("These are not outcome codes: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    if codes and not re.fullmatch(r"[\w\-,]+", ",".join(codes)):
        raise ValidationError(_("Separate the outcome codes with commas."))


def queue_rules() -> QueueRules:
    from telesales.core.config import setting_get

    codes = codes_split(str(setting_get(OUTCOME_CODES) or ""))
    return QueueRules(
        sample=int(setting_get(SAMPLE_PER_REP_WEEK)),
        outcome_codes=frozenset(codes or flagged_outcome_codes()),
        long_seconds=int(setting_get(LONG_CALL_SECONDS)),
        short_seconds=int(setting_get(SHORT_CALL_SECONDS)),
        rule_cap=int(setting_get(RULE_PICKS_PER_REP_WEEK)),
    )
