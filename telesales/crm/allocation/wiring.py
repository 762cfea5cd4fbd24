def ready() -> None:
    pass
