"""Motivation and team climate (source §2.2.4): the recognition and reward/penalty ledger,
team activities, and one-to-one morale check-ins."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telesales.org.models import Employee, Team


class LedgerEntry(models.Model):
    """A recognition, reward or penalty of one employee. Append-only: a mistake is corrected
    by a reversing entry that names the one it reverses and carries its negated points and
    amount, so every total nets it out; entries are never edited or deleted."""

    class Kind(models.TextChoices):
        RECOGNITION = "recognition", _("Recognition")
        REWARD = "reward", _("Reward")
        PENALTY = "penalty", _("Penalty")

    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_entries",
        help_text=_("The employee's team on the entry's date."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    points = models.IntegerField(_("points"), default=0)
    amount = models.DecimalField(
        _("amount (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=300)
    date = models.DateField(_("date"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(fields=["employee", "date"], name="ledger_employee"),
            models.Index(fields=["team", "kind", "date"], name="ledger_team"),
        ]
        constraints = [
            # An entry of its own is never negative; only a reversal negates one.
            models.CheckConstraint(
                condition=Q(reverses__isnull=False)
                | (Q(points__gte=0) & (Q(amount__isnull=True) | Q(amount__gte=0))),
                name="ledger_entry_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.employee_id} {self.kind} {self.date}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class TeamActivity(models.Model):
    """A team activity (an outing, a celebration, a contest) with who took part and what it
    cost."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    participants = models.ManyToManyField(
        Employee, verbose_name=_("participants"), blank=True, related_name="team_activities"
    )
    cost = models.DecimalField(_("cost (CNY)"), max_digits=12, decimal_places=2, default=0)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("team activity")
        verbose_name_plural = _("team activities")
        indexes = [models.Index(fields=["team", "date"], name="activity_team")]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="activity_cost_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class CheckIn(models.Model):
    """A one-to-one morale check-in: a score of 1–5, private notes that only the employee's
    line and HR read, and a shared summary with the agreed next steps the employee sees."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="checkins"
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checkins",
        help_text=_("The employee's team on the check-in's date."),
    )
    held_by = models.ForeignKey(
        Employee,
        verbose_name=_("held by"),
        on_delete=models.PROTECT,
        related_name="checkins_held",
    )
    date = models.DateField(_("date"))
    morale = models.PositiveSmallIntegerField(_("morale (1–5)"))
    private_notes = models.TextField(_("private notes"), blank=True)
    shared_summary = models.TextField(_("shared summary and next steps"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("morale check-in")
        verbose_name_plural = _("morale check-ins")
        indexes = [
            models.Index(fields=["employee", "date"], name="checkin_employee"),
            models.Index(fields=["team", "date"], name="checkin_team"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(morale__gte=1, morale__lte=5), name="checkin_morale_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.date} {self.morale}"
