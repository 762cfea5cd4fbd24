from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "telesales.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from telesales.core.navigation import MenuGroup, menu_group_register

        # Headings of the top bar under which several apps put their pages.
        menu_group_register(MenuGroup("targets", _("Targets and plans")))
        menu_group_register(MenuGroup("analysis", _("Analysis")))
        menu_group_register(MenuGroup("quality", _("Quality and coaching")))
        menu_group_register(MenuGroup("people", _("Team management")))
        menu_group_register(MenuGroup("appraisal", _("Appraisal")))
