from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "telesales.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from telesales.core.imports.registry import register
        from telesales.sales.importers import ProductImporter

        register(ProductImporter)
