from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "telesales.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from telesales.core.demo import DemoStep, demo_step_register
        from telesales.core.imports.registry import register
        from telesales.core.navigation import MenuItem, menu_register
        from telesales.sales.demo import demo_deals
        from telesales.sales.importers import DealImporter, ProductImporter
        from telesales.sales.selectors import can_view_deals

        register(ProductImporter)
        register(DealImporter)
        menu_register(MenuItem("deals", _("Deals"), "deal-list", can_view_deals, 40))
        # After the customers and their outcomes (order 30): deals follow the sales.
        demo_step_register(DemoStep("deals", 40, demo_deals))
