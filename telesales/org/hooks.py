"""What other apps do when someone is hired (an onboarding plan, say): callbacks they
register from ready(), called by employee_hire inside the hire's transaction. Explicit
instead of signals, so that a reader of employee_hire can find every consequence."""

from __future__ import annotations

from collections.abc import Callable

AfterHire = Callable[..., None]  # (*, actor, employee) -> None

_AFTER_HIRE: dict[str, AfterHire] = {}


def after_hire_register(key: str, callback: AfterHire) -> None:
    _AFTER_HIRE[key] = callback


def after_hire_run(*, actor, employee) -> None:
    for callback in _AFTER_HIRE.values():
        callback(actor=actor, employee=employee)
