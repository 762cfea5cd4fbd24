from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "telesales.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from telesales.core.imports.registry import register
        from telesales.org.importers import EmployeeImporter

        register(EmployeeImporter)

        from telesales.core.navigation import MenuItem, menu_register
        from telesales.org import access

        menu_register(MenuItem("home", _("Home"), "home", lambda u: True, order=0))
        menu_register(
            MenuItem(
                "teams",
                _("Teams"),
                "team-list",
                lambda u: (s := access.scope_for(u)).company_wide or bool(s.team_ids),
                order=10,
            )
        )
        menu_register(
            MenuItem(
                "people",
                _("People"),
                "employee-list",
                lambda u: access.user_role(u) is not None,
                order=20,
            )
        )
        menu_register(
            MenuItem(
                "imports",
                _("Imports"),
                "imports",
                lambda u: access.can_manage_people(u) or access.can_manage_products(u),
                order=90,
            )
        )
        menu_register(
            MenuItem(
                "admin", _("Administration"), "admin:index", access.can_administer_org, order=99
            )
        )
