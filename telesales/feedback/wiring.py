"""Importers, menu entries and settings of this app, registered once at start-up."""


def ready() -> None:
    pass
