"""Demo steps beyond the organisation: apps add theirs in ready() (calls adds 120 days of
calls, say), and `telesales demo` runs them in order after building the company."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DemoContext:
    today: dt.date
    seed: int
    options: dict[str, Any] = field(default_factory=dict)
    progress: Callable[[int, int, int], None] | None = None


@dataclass(frozen=True)
class DemoStep:
    key: str
    order: int
    run: Callable[[DemoContext], str]  # returns a one-line summary


_STEPS: dict[str, DemoStep] = {}


def demo_step_register(step: DemoStep) -> None:
    _STEPS[step.key] = step


def demo_steps() -> list[DemoStep]:
    return sorted(_STEPS.values(), key=lambda s: s.order)
