"""Importers, menu entries, settings and demo steps of the crm app, registered at start-up.
Each area of the app has its own function, in its own module."""


def ready() -> None:
    from telesales.crm.allocation.wiring import ready as allocation_ready
    from telesales.crm.customers.wiring import ready as customers_ready
    from telesales.crm.scripts.wiring import ready as scripts_ready

    customers_ready()
    allocation_ready()
    scripts_ready()
