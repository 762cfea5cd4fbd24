"""Importers register themselves from their own app's ready(); core never imports them."""

from __future__ import annotations

from telesales.core.imports.base import Importer

_IMPORTERS: dict[str, type[Importer]] = {}


def register(importer: type[Importer]) -> type[Importer]:
    _IMPORTERS[importer.kind] = importer
    return importer


def get_importer(kind: str) -> Importer | None:
    cls = _IMPORTERS.get(kind)
    return cls() if cls else None


def all_importers() -> list[Importer]:
    return [cls() for cls in _IMPORTERS.values()]
