"""Intent levels (PRODUCT.md §4): a configurable ordered list, none < low < medium < high by
default, and the threshold from which a customer is an intent customer."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext_lazy

from telesales.core.config import setting_get

DEFAULT_LEVELS = ["none", "low", "medium", "high"]
DEFAULT_THRESHOLD = "medium"

# Labels of the default codes; a level added in the settings is shown as written.
LABELS = {
    "none": pgettext_lazy("intent level", "none"),
    "low": pgettext_lazy("intent level", "low"),
    "medium": pgettext_lazy("intent level", "medium"),
    "high": pgettext_lazy("intent level", "high"),
}


def intent_levels() -> list[str]:
    levels = setting_get("crm.intent_levels")
    return [str(level) for level in levels] if levels else list(DEFAULT_LEVELS)


def intent_threshold() -> str:
    threshold = setting_get("crm.intent_threshold")
    levels = intent_levels()
    return threshold if threshold in levels else levels[min(len(levels) - 1, 2)]


def intent_label(code: str) -> str:
    return str(LABELS.get(code, code))


def intent_choices() -> list[tuple[str, str]]:
    return [(code, intent_label(code)) for code in intent_levels()]


def intent_rank(level: str, levels: list[str] | None = None) -> int:
    """The level's place in the list; an unknown level ranks below all (-1)."""
    levels = levels if levels is not None else intent_levels()
    try:
        return levels.index(level)
    except ValueError:
        return -1


def intent_names() -> dict[str, str]:
    """Codes and their labels in every language, lower-cased → code (for imports)."""
    names: dict[str, str] = {}
    for code in intent_levels():
        names[code.lower()] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names[intent_label(code).strip().lower()] = code
    return names


def intent_on_after(
    *,
    level: str,
    intent_on: dt.date | None,
    day: dt.date,
    levels: list[str] | None = None,
    threshold: str | None = None,
) -> dt.date | None:
    """intent_on once the customer is at `level` on `day`: set to `day` when the level first
    reaches the threshold; a date already set is never moved later and never cleared."""
    levels = levels if levels is not None else intent_levels()
    threshold = threshold if threshold is not None else intent_threshold()
    if intent_rank(level, levels) < intent_rank(threshold, levels):
        return intent_on
    if intent_on is None or day < intent_on:
        return day
    return intent_on


def intent_raised(level: str, to_at_least: str, levels: list[str] | None = None) -> str:
    """The higher of two levels."""
    levels = levels if levels is not None else intent_levels()
    return to_at_least if intent_rank(to_at_least, levels) > intent_rank(level, levels) else level
