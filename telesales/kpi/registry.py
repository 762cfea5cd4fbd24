"""The KPI catalogue (PRODUCT.md §5) as far as it is computed from data so far: each code
with its label and formula, and the function that computes a group of KPIs at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from telesales.core.periods import Period
from telesales.kpi.values import KpiValue
from telesales.org.scopes import KpiScope


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
    _load()
    values: dict[str, KpiValue] = {}
    for group, provider in PROVIDERS.items():
        if groups is None or group in groups:
            values.update(provider(scope, period))
    return values


# Each module registers its KPIs when imported; they are imported on first use, so that a
# module may import this one.
PROVIDER_MODULES = (
    "telesales.kpi.calls",
    "telesales.kpi.sales",
    "telesales.kpi.crm",
    "telesales.kpi.feedback",
    "telesales.kpi.targets",
    "telesales.kpi.qa",
    "telesales.kpi.training",
    "telesales.kpi.people",
    "telesales.kpi.workreports",
    "telesales.kpi.rated",
)


def _load() -> None:
    import importlib

    for name in PROVIDER_MODULES:
        importlib.import_module(name)
