"""What every importer declares, and what an import run reports (PRODUCT.md §7, §8)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils import translation
from django.utils.functional import Promise


class RowError(Exception):
    """A row cannot be stored; the reason is a full, translated sentence."""

    def __init__(self, column: str, reason: str):
        super().__init__(f"{column}: {reason}")
        self.column = column
        self.reason = str(reason)


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    required: bool = True
    help: Promise | str = ""
    aliases: tuple[str, ...] = ()

    def header_names(self) -> set[str]:
        """The key, its label in every language, and any extra aliases, normalised."""
        from django.conf import settings

        names = {normalise_header(self.key), *(normalise_header(a) for a in self.aliases)}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(normalise_header(str(self.label)))
        return names


def normalise_header(name: str) -> str:
    return "".join(name.strip().lstrip("\ufeff").lower().replace("_", " ").split())


@dataclass(frozen=True)
class Rejection:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class ImportResult:
    rows: int = 0
    stored: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def reject(self, row: int, column: str, reason: str) -> None:
        self.rejected.append(Rejection(row, column, str(reason)))

    def as_json(self, *, master_data: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rows": self.rows,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "rejected": [r.as_dict() for r in self.rejected],
        }
        if master_data:
            data["updated"] = self.updated
        return data


@dataclass
class StoreContext:
    """Passed to an importer's store(): who acts, and where to count what happened."""

    actor: Any
    result: ImportResult
    dry_run: bool
    options: dict[str, Any]
    state: dict[str, Any] = field(default_factory=dict)


class Importer:
    """An importer parses rows (pure) and stores batches of parsed rows (through services)."""

    kind: ClassVar[str]
    label: ClassVar[Promise]
    columns: ClassVar[tuple[Column, ...]]
    master_data: ClassVar[bool] = False
    batch_size: ClassVar[int] = 500
    description: ClassVar[Promise | str] = ""

    def allowed(self, user) -> bool:
        raise NotImplementedError

    def parse(self, row: dict[str, str]) -> Any:
        """Turn one row (keys are column keys) into a frozen dataclass, or raise RowError."""
        raise NotImplementedError

    def store(self, batch: Iterable[tuple[int, Any]], ctx: StoreContext) -> None:
        raise NotImplementedError

    def finish(self, ctx: StoreContext) -> None:
        """Called once after the last batch, inside the last transaction."""

    def example_row(self) -> list[str]:
        return []
