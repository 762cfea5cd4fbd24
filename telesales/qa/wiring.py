"""Importers, menu entries, hooks and the demo step of this app, registered once at start-up."""


def ready() -> None:
    pass
