"""Importers, menu entries and the demo step of this app, registered once at start-up."""


def ready() -> None:
    from django.utils.translation import gettext_lazy as _

    from telesales.core.demo import DemoStep, demo_step_register
    from telesales.core.imports.registry import register
    from telesales.core.navigation import MenuItem, menu_register
    from telesales.feedback import access
    from telesales.feedback.demo import demo_feedback
    from telesales.feedback.importers import SurveyImporter, TicketImporter

    register(SurveyImporter)
    register(TicketImporter)
    menu_register(MenuItem("tickets", _("Tickets"), "ticket-queue", access.can_see_tickets, 60))
    menu_register(MenuItem("surveys", _("Surveys"), "survey-list", access.can_see_surveys, 61))
    demo_step_register(DemoStep("feedback", 50, demo_feedback))
