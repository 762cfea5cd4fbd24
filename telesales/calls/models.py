"""Calls from the phone system (PRODUCT.md §4) and their daily roll-up per employee."""

import re
from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from telesales.org.models import Employee, Team


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")
    INTERNAL = "internal", _("Internal")


class Call(models.Model):
    """One call: the legs of a phone-system export that share linkedid (else uniqueid)
    merged into one row. Times are UTC; local_date is the company-time-zone date of
    started_at, the call's period."""

    system = models.CharField(_("phone system"), max_length=20)
    call_id = models.CharField(_("call id"), max_length=80)
    started_at = models.DateTimeField(_("started at"))
    local_date = models.DateField(_("date"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), default=0)
    talk_seconds = models.PositiveIntegerField(_("talk time (s)"), default=0)
    answered = models.BooleanField(_("answered"), default=False)
    disposition = models.CharField(_("disposition"), max_length=40, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    src = models.CharField(_("source number"), max_length=80, blank=True)
    dst = models.CharField(_("destination number"), max_length=80, blank=True)
    caller_name = models.CharField(_("caller name"), max_length=120, blank=True)
    extension = models.CharField(_("extension / agent id"), max_length=40, blank=True)
    customer_number = models.CharField(_("customer number"), max_length=80, blank=True)
    recording = models.CharField(
        _("recording"),
        max_length=500,
        blank=True,
        default="",
        help_text=_("The recording file or link the phone system gave for this call."),
    )
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
        db_index=False,  # call_employee_date covers it
    )
    import_run = models.ForeignKey(
        "core.ImportRun",
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # not searched by; an index would only slow every import
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.UniqueConstraint(fields=["system", "call_id"], name="call_unique_per_system")
        ]
        indexes = [
            models.Index(fields=["employee", "local_date"], name="call_employee_date"),
            models.Index(fields=["started_at"], name="call_started"),
            models.Index(
                fields=["extension", "local_date"],
                name="call_unmapped",
                condition=Q(employee__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.system}:{self.call_id}"

    @property
    def recording_url(self) -> str:
        """A link to the call's recording: the stored reference when it is an http(s) URL,
        else the setting calls.recording_url_template with {file} replaced by the quoted
        reference; "" when there is no reference, no template or no safe link."""
        if not self.recording:
            return ""
        if _scheme(self.recording):  # a link already (or an unsafe one): no template needed
            return recording_link(self.recording, "")
        from telesales.core.config import setting_get

        return recording_link(self.recording, setting_get(RECORDING_URL_TEMPLATE))


class CallDay(models.Model):
    """One employee's calls on one local date, kept exact by the calls services."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="call_days"
    )
    day = models.DateField(_("date"))
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_days",
    )
    rep = models.BooleanField(
        _("rep that day"),
        default=True,
        help_text=_("Team KPIs count the people who were reps on each date."),
    )
    out_calls = models.PositiveIntegerField(_("outbound calls"), default=0)
    out_connected = models.PositiveIntegerField(_("outbound connected"), default=0)
    out_talk_seconds = models.PositiveBigIntegerField(_("outbound talk time (s)"), default=0)
    out_effective = models.PositiveIntegerField(_("outbound effective calls"), default=0)
    in_calls = models.PositiveIntegerField(_("inbound calls"), default=0)
    in_connected = models.PositiveIntegerField(_("inbound connected"), default=0)
    in_talk_seconds = models.PositiveBigIntegerField(_("inbound talk time (s)"), default=0)
    in_effective = models.PositiveIntegerField(_("inbound effective calls"), default=0)
    internal_calls = models.PositiveIntegerField(_("internal calls"), default=0)

    class Meta:
        ordering = ["day", "employee"]
        verbose_name = _("daily call roll-up")
        verbose_name_plural = _("daily call roll-ups")
        constraints = [models.UniqueConstraint(fields=["employee", "day"], name="callday_unique")]
        indexes = [models.Index(fields=["team", "day"], name="callday_team_day")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.day}"


class ColumnMapping(models.Model):
    """A saved column mapping for a generic call export (CSV or Excel with a header)."""

    class DateOrder(models.TextChoices):
        AUTO = "auto", _("Detect")
        YMD = "ymd", _("year/month/day")
        DMY = "dmy", _("day/month/year")
        MDY = "mdy", _("month/day/year")

    name = models.CharField(_("name"), max_length=80, unique=True)
    system = models.CharField(
        _("phone system"),
        max_length=20,
        default="generic",
        help_text=_("Calls of the same phone system share call ids; re-imports match on them."),
    )
    columns = models.JSONField(_("columns"), default=dict)
    date_order = models.CharField(
        _("date order"), max_length=4, choices=DateOrder.choices, default=DateOrder.AUTO
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")

    def __str__(self) -> str:
        return self.name


RECORDING_URL_TEMPLATE = "calls.recording_url_template"
WEB_SCHEMES = {"http", "https"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")  # browsers ignore them inside a scheme
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def _scheme(text: str) -> str:
    """The URL scheme a browser would see in text (lower case), or ""."""
    match = _SCHEME.match(_INVISIBLE.sub("", text))
    return match.group(1).lower() if match else ""


def _is_web_url(text: str) -> bool:
    return _scheme(text) in WEB_SCHEMES


def recording_link(reference: str, template: str) -> str:
    """The link to a recording (issue 6). A reference that is already an http or https URL
    is the link as it is; any other scheme (javascript:, file:, data:…) gives none. A file
    name or path goes into the template in place of {file}, URL-quoted ("/" kept); only an
    http or https template gives a link, and a path with a "." or ".." segment gives none."""
    reference = (reference or "").strip()
    if not reference:
        return ""
    if _scheme(reference):
        # the scheme exactly as written: "java\tscript:" or "ht tp:" is no web link
        if not _is_web_url(reference) or not _SCHEME.match(reference):
            return ""
        return quote(reference, safe=_URL_SAFE)
    template = (template or "").strip()
    if "{file}" not in template or not _is_web_url(template) or not _SCHEME.match(template):
        return ""
    if any(part in {".", ".."} for part in reference.split("/")):
        return ""
    return template.replace("{file}", quote(reference, safe="/"))
