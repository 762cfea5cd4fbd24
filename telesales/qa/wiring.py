"""Importers, menu entries, settings, the to-do source, the profile links and the demo step
of call monitoring and coaching, registered once at start-up."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def _reviews_rep(user, employee) -> bool:
    """A rep whose calls the user reviews and coaches (the filter of the review and coaching
    lists offers exactly these people)."""
    from telesales.org.models import Role
    from telesales.qa import access

    return (
        employee.role == Role.REP
        and access.is_reviewer(user)
        and access.reviewable_people(user).filter(pk=employee.pk).exists()
    )


def _is_own_rep_page(user, employee) -> bool:
    """A rep on their own profile (their lists need no filter: they hold only their own)."""
    from telesales.org.access import user_employee
    from telesales.org.models import Role
    from telesales.qa import access

    own = user_employee(user)
    return (
        own is not None
        and own.pk == employee.pk
        and employee.role == Role.REP
        and access.can_see_reviews(user)
    )


def _profile_links() -> None:
    from django.urls import reverse

    from telesales.core.navigation import ProfileLink, profile_link_register

    profile_link_register(
        ProfileLink(
            "qa-reviews",
            _("QA reviews"),
            lambda employee: f"{reverse('qa-review-list')}?rep={employee.pk}",
            _reviews_rep,
            order=50,
        )
    )
    profile_link_register(
        ProfileLink(
            "qa-coaching",
            _("Coaching"),
            lambda employee: f"{reverse('qa-coaching-list')}?rep={employee.pk}",
            _reviews_rep,
            order=51,
        )
    )
    profile_link_register(
        ProfileLink(
            "qa-reviews-mine",
            _("QA reviews"),
            lambda employee: reverse("qa-review-list"),
            _is_own_rep_page,
            order=50,
        )
    )
    profile_link_register(
        ProfileLink(
            "qa-coaching-mine",
            _("Coaching"),
            lambda employee: reverse("qa-coaching-list"),
            _is_own_rep_page,
            order=51,
        )
    )


def ready() -> None:
    from telesales.core.config import SettingDefinition, setting_declare
    from telesales.core.demo import DemoStep, demo_step_register
    from telesales.core.imports.registry import register
    from telesales.core.navigation import MenuItem, menu_register
    from telesales.core.todos import todo_source_register
    from telesales.qa import access, rules
    from telesales.qa.demo import demo_qa
    from telesales.qa.followup_views import followups_register
    from telesales.qa.followups.demo import demo_followups
    from telesales.qa.importers import ReviewImporter
    from telesales.qa.todos import qa_todos

    register(ReviewImporter)
    # After the targets (60): the demo reviews the calls, outcomes and customers made before.
    demo_step_register(DemoStep("qa", 70, demo_qa))
    # The follow-up record checks: their menu entry, settings and demo step.
    followups_register()
    demo_step_register(DemoStep("qa-followups", 71, demo_followups))
    todo_source_register("qa", qa_todos)
    _profile_links()

    quality = "quality"
    menu_register(
        MenuItem(
            "qa-reviews", _("QA reviews"), "qa-review-list", access.can_see_reviews, 70, quality
        )
    )
    menu_register(
        MenuItem("qa-queue", _("Review queue"), "qa-queue", access.is_reviewer, 71, quality)
    )
    menu_register(
        MenuItem(
            "qa-calibration",
            _("Calibration"),
            "qa-calibration-list",
            access.is_reviewer,
            72,
            quality,
        )
    )
    menu_register(
        MenuItem(
            "qa-scorecards",
            _("QA scorecards"),
            "qa-scorecard-list",
            access.can_see_scorecards,
            73,
            quality,
        )
    )
    menu_register(
        MenuItem(
            "coaching", _("Coaching"), "qa-coaching-list", access.can_see_coaching, 74, quality
        )
    )
    menu_register(
        MenuItem(
            "coaching-actions",
            _("Coaching follow-up"),
            "qa-action-list",
            access.can_see_coaching,
            75,
            quality,
        )
    )

    setting_declare(
        SettingDefinition(
            key=rules.SAMPLE_PER_REP_WEEK,
            label=_("QA sample per rep and week"),
            default=rules.DEFAULTS[rules.SAMPLE_PER_REP_WEEK],
            field=lambda: forms.IntegerField(min_value=0, max_value=50),
            help=_(
                "How many of each rep's answered outbound calls of a week the review queue "
                "picks at random (the same calls every time the queue is built)."
            ),
            order=70,
        )
    )
    setting_declare(
        SettingDefinition(
            key=rules.OUTCOME_CODES,
            label=_("QA: review calls with these outcomes"),
            default=rules.DEFAULTS[rules.OUTCOME_CODES],
            field=lambda: forms.CharField(
                max_length=500, required=False, validators=[rules.outcome_codes_validate]
            ),
            help=_(
                "Outcome codes separated by commas; the review queue adds the calls with one of "
                "these outcomes. Empty: the outcomes flagged sale, do not call or not "
                "interested."
            ),
            order=71,
        )
    )
    setting_declare(
        SettingDefinition(
            key=rules.LONG_CALL_SECONDS,
            label=_("QA: long calls from (seconds)"),
            default=rules.DEFAULTS[rules.LONG_CALL_SECONDS],
            field=lambda: forms.IntegerField(min_value=1, max_value=86400),
            help=_("The review queue adds answered calls with at least this much talk time."),
            order=72,
        )
    )
    setting_declare(
        SettingDefinition(
            key=rules.SHORT_CALL_SECONDS,
            label=_("QA: short calls up to (seconds)"),
            default=rules.DEFAULTS[rules.SHORT_CALL_SECONDS],
            field=lambda: forms.IntegerField(min_value=0, max_value=3600),
            help=_("The review queue adds answered calls with at most this much talk time."),
            order=73,
        )
    )
    setting_declare(
        SettingDefinition(
            key=rules.RULE_PICKS_PER_REP_WEEK,
            label=_("QA: calls picked per rule, rep and week"),
            default=rules.DEFAULTS[rules.RULE_PICKS_PER_REP_WEEK],
            field=lambda: forms.IntegerField(min_value=0, max_value=100),
            help=_(
                "At most this many calls of a rep's week for each rule (outcome, long call, "
                "short call), in the same seeded order as the random sample."
            ),
            order=74,
        )
    )
