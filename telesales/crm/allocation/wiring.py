"""Allocation's menu entry and demo step, registered when the crm app is ready."""

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from telesales.core.demo import DemoStep, demo_step_register
    from telesales.core.navigation import MenuItem, menu_register
    from telesales.crm.allocation.demo import demo_allocation
    from telesales.crm.allocation.selectors import can_allocate

    menu_register(MenuItem("lead-allocation", _("Lead allocation"), "lead-pool", can_allocate, 40))
    demo_step_register(DemoStep("allocation", 35, demo_allocation))
