"""The KPI catalogue (PRODUCT.md §5) as far as it is computed from data so far: each code
with its label and formula, and the function that computes a group of KPIs at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from telesales.kpi.periods import Period
from telesales.kpi.scopes import KpiScope
from telesales.kpi.values import KpiValue


@dataclass(frozen=True)
class KpiDefinition:
    code: str
    label: Promise
    formula: Promise
    unit: str  # count, rate, seconds, amount
    group: str


Provider = Callable[[KpiScope, Period], dict[str, KpiValue]]

DEFINITIONS: dict[str, KpiDefinition] = {}
PROVIDERS: dict[str, Provider] = {}


def kpi_register(group: str, provider: Provider, definitions: list[KpiDefinition]) -> None:
    PROVIDERS[group] = provider
    for definition in definitions:
        DEFINITIONS[definition.code] = definition


def kpis_compute(scope: KpiScope, period: Period, groups=None) -> dict[str, KpiValue]:
    values: dict[str, KpiValue] = {}
    for group, provider in PROVIDERS.items():
        if groups is None or group in groups:
            values.update(provider(scope, period))
    return values


def _register_calls() -> None:
    from telesales.kpi.calls import call_kpis

    kpi_register(
        "calls",
        call_kpis,
        [
            KpiDefinition(
                "call_volume", _("Call volume"), _("outbound calls dialled"), "count", "calls"
            ),
            KpiDefinition(
                "connected_calls",
                _("Connected calls"),
                _("outbound calls answered"),
                "count",
                "calls",
            ),
            KpiDefinition(
                "connection_rate",
                _("Connection rate"),
                _("connected calls / call volume"),
                "rate",
                "calls",
            ),
            KpiDefinition(
                "avg_talk_seconds",
                _("Average talk time"),
                _("talk seconds of connected calls / connected calls"),
                "seconds",
                "calls",
            ),
            KpiDefinition(
                "effective_calls",
                _("Effective calls"),
                _("connected calls with talk time at or above the threshold"),
                "count",
                "calls",
            ),
            KpiDefinition(
                "effective_call_rate",
                _("Effective call rate"),
                _("effective calls / connected calls"),
                "rate",
                "calls",
            ),
        ],
    )


_register_calls()
