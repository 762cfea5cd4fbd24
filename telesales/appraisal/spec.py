"""An appraisal scheme as plain values (PRODUCT.md §6, §7 "schemes"): what the YAML file, the
database rows and the scoring engine all agree on. Weights and numbers are Decimal."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

CURVES = ("linear", "linear_lower", "bands", "rating", "identity")
WHEN_MISSING = ("redistribute", "zero", "full")
RATER_GROUPS = ("superior", "peer", "subordinate", "department", "self")
DEFAULT_GRADES = {"S": Decimal(95), "A": Decimal(85), "B": Decimal(75), "C": Decimal(60)}


@dataclass(frozen=True)
class Band:
    min: Decimal
    score: Decimal


@dataclass(frozen=True)
class KpiLine:
    """One KPI of a category: its weight, target and curve. `target` None means the target
    comes from the targets of PRODUCT.md §7 (or 1 for a KPI that is already an attainment)."""

    kpi: str
    weight: Decimal
    curve: str = "linear"
    target: Decimal | None = None
    cap: Decimal = Decimal(120)
    floor: Decimal = Decimal(0)
    bands: tuple[Band, ...] = ()
    bands_on: str = "ratio"  # "ratio" or "actual"
    when_missing: str = "redistribute"
    rater_groups: dict[str, Decimal] = field(default_factory=dict)  # empty: superior only
    dimensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    weight: Decimal
    kpis: tuple[KpiLine, ...]


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    applies_to: str  # a role of PRODUCT.md §2: supervisor or rep
    categories: tuple[Category, ...]
    grades: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_GRADES))
