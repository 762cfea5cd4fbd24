"""Customers and leads, their tiers, owners, call outcomes and timeline (source §2.3.2–2.3.3,
PRODUCT.md §4). A lead is a customer not yet won; the owner is the rep working it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telesales.core.models import TimeStampedModel
from telesales.org.models import Employee


class Tier(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


class Customer(TimeStampedModel):
    """A customer or lead, keyed by its phone number in E.164 form (+8613800138000)."""

    phone = models.CharField(_("phone"), max_length=32, unique=True)
    phone_raw = models.CharField(_("phone as given"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    company_size = models.PositiveIntegerField(_("company size"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=80, blank=True)
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices, default=Tier.D)
    tier_reason = models.JSONField(_("why this tier"), default=dict, blank=True)
    tier_fixed = models.BooleanField(
        _("tier set by hand"),
        default=False,
        help_text=_("A tier given in an import or by hand is kept when the rules run."),
    )
    intent_level = models.CharField(_("intent level"), max_length=20, default="none")
    intent_on = models.DateField(_("intent reached on"), null=True, blank=True)
    owner = models.ForeignKey(
        Employee,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    owned_since = models.DateTimeField(_("owned since"), null=True, blank=True)
    dnc = models.BooleanField(_("do not call"), default=False)
    attempts = models.PositiveIntegerField(
        _("attempts"), default=0, help_text=_("Outcomes recorded on this lead, by any owner.")
    )
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    last_disposition = models.ForeignKey(
        "Disposition",
        verbose_name=_("last outcome"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["owner", "next_follow_up"], name="customer_owner_follow"),
            models.Index(fields=["tier", "owner"], name="customer_tier_owner"),
            models.Index(fields=["intent_on"], name="customer_intent_on"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.phone}"


class Disposition(models.Model):
    """A call outcome a rep records (PRODUCT.md §4), with its flags and recycling rule."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=100)
    contact = models.BooleanField(_("contact"), default=False)
    intent = models.BooleanField(_("intent"), default=False)
    sale = models.BooleanField(_("sale"), default=False)
    callback = models.BooleanField(_("callback"), default=False)
    dnc = models.BooleanField(_("do not call"), default=False)
    not_interested = models.BooleanField(_("not interested"), default=False)
    unworkable = models.BooleanField(_("unworkable"), default=False)
    recycle_after_days = models.PositiveIntegerField(
        _("recycle after (days)"),
        null=True,
        blank=True,
        help_text=_("A lead left with this outcome returns to the pool after so many days."),
    )
    max_attempts = models.PositiveIntegerField(
        _("maximum attempts"),
        null=True,
        blank=True,
        help_text=_("After so many attempts with this outcome the lead is not recycled again."),
    )
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("call outcome")
        verbose_name_plural = _("call outcomes")

    def __str__(self) -> str:
        return self.label


class Outcome(models.Model):
    """What came of a call or contact, recorded by the rep, with the next step."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="outcomes"
    )
    employee = models.ForeignKey(
        Employee, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="outcomes"
    )
    call = models.ForeignKey(
        "calls.Call",
        verbose_name=_("call"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outcomes",
    )
    disposition = models.ForeignKey(
        Disposition, verbose_name=_("outcome"), on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)
    script_version = models.ForeignKey(
        "ScriptVersion",
        verbose_name=_("script version used"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outcomes",
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        indexes = [models.Index(fields=["employee", "recorded_at"], name="outcome_employee")]

    def __str__(self) -> str:
        return f"{self.customer} {self.disposition}"


class CustomerEvent(models.Model):
    """The customer's timeline: created, merged, owner changed, outcome, intent, tier, DNC."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        MERGED = "merged", _("Merged")
        OWNER = "owner", _("Owner changed")
        OUTCOME = "outcome", _("Outcome recorded")
        INTENT = "intent", _("Intent changed")
        TIER = "tier", _("Tier changed")
        DNC = "dnc", _("Do not call")
        DEAL = "deal", _("Deal")
        TICKET = "ticket", _("Ticket")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.CharField(_("what"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("customer event")
        verbose_name_plural = _("customer events")
        indexes = [models.Index(fields=["customer", "at"], name="customer_event_at")]

    def __str__(self) -> str:
        return f"{self.customer} {self.kind} {self.at:%Y-%m-%d}"


class TierRule(models.Model):
    """One rule of the tiering: the first active rule, in order, whose conditions all hold
    gives the customer its tier. Conditions: [{"field": …, "op": …, "value": …}]."""

    order = models.PositiveIntegerField(_("order"), default=100)
    name = models.CharField(_("name"), max_length=120)
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices)
    conditions = models.JSONField(_("conditions"), default=list)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("tier rule")
        verbose_name_plural = _("tier rules")

    def __str__(self) -> str:
        return f"{self.order} {self.name} → {self.tier}"


class RepCapacity(models.Model):
    """How many new leads a rep takes a day, and how many open leads at most."""

    employee = models.OneToOneField(
        Employee, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="capacity"
    )
    daily_cap = models.PositiveIntegerField(_("new leads a day"), default=30)
    max_open = models.PositiveIntegerField(_("open leads at most"), default=300)

    class Meta:
        verbose_name = _("rep capacity")
        verbose_name_plural = _("rep capacities")

    def __str__(self) -> str:
        return f"{self.employee} {self.daily_cap}/{self.max_open}"


class AllocationRun(models.Model):
    """One allocation, reclaim or recycle: who did it, how, and each change of owner."""

    class Kind(models.TextChoices):
        ALLOCATE = "allocate", _("Allocation")
        RECLAIM = "reclaim", _("Reclaim")
        RECYCLE = "recycle", _("Recycle")
        MANUAL = "manual", _("Manual reassignment")

    class Method(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round robin")
        CAPACITY = "capacity", _("By capacity")
        SKILL = "skill", _("Tier to skill")
        NONE = "", _("—")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    count = models.PositiveIntegerField(_("leads"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M} ({self.count})"


class AllocationItem(models.Model):
    run = models.ForeignKey(
        AllocationRun, verbose_name=_("allocation"), on_delete=models.CASCADE, related_name="items"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    from_owner = models.ForeignKey(
        Employee,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_owner = models.ForeignKey(
        Employee,
        verbose_name=_("to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("allocated lead")
        verbose_name_plural = _("allocated leads")
        indexes = [models.Index(fields=["to_owner", "run"], name="allocation_to_owner")]
        constraints = [
            models.UniqueConstraint(fields=["run", "customer"], name="allocation_once_per_run"),
            models.CheckConstraint(
                condition=~Q(from_owner=models.F("to_owner")) | Q(from_owner__isnull=True),
                name="allocation_changes_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_owner_id} → {self.to_owner_id}"


class Script(TimeStampedModel):
    """A call script of the library (source §2.3.1): its text lives in numbered versions."""

    class Stage(models.TextChoices):
        OPENING = "opening", _("Opening")
        NEEDS = "needs", _("Needs discovery")
        PITCH = "pitch", _("Product pitch")
        OBJECTION = "objection", _("Objection handling")
        CLOSING = "closing", _("Closing")

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    product = models.ForeignKey(
        "sales.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scripts",
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Reps choose only the published versions of active scripts."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("call script")
        verbose_name_plural = _("call scripts")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ScriptVersion(models.Model):
    """One text of a script. A published or retired version's body never changes: a change
    is a new version. Several versions may be published at once (an A/B test)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    script = models.ForeignKey(
        Script, verbose_name=_("call script"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"))
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["script", "number"]
        verbose_name = _("script version")
        verbose_name_plural = _("script versions")
        constraints = [
            models.UniqueConstraint(fields=["script", "number"], name="script_version_number")
        ]
        indexes = [models.Index(fields=["status", "script"], name="script_version_status")]

    def __str__(self) -> str:
        return f"{self.script.title} v{self.number}"
