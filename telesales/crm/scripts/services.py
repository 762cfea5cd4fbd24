"""Writes to the script library: each is atomic, checks that the actor may edit scripts, and
records its audit row in the same transaction. A version moves draft → published → retired
by script_version_transition() alone; only a draft's text may change."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.audit import audit_record, snapshot
from telesales.crm.models import Script, ScriptVersion
from telesales.crm.scripts.access import can_edit_scripts

SCRIPT_FIELDS = ["code", "title", "stage", "product_id", "is_active"]
VERSION_FIELDS = ["script_id", "number", "body", "change_note", "status", "author_id"]
VERSION_FIELDS += ["published_at", "published_by_id", "retired_at"]

Status = ScriptVersion.Status

# The allowed moves of a version: (from, to) → what the move is called.
MOVES = {
    (Status.DRAFT, Status.PUBLISHED): gettext_lazy("Publish"),
    (Status.DRAFT, Status.RETIRED): gettext_lazy("Withdraw the draft"),
    (Status.PUBLISHED, Status.RETIRED): gettext_lazy("Retire"),
    (Status.RETIRED, Status.PUBLISHED): gettext_lazy("Publish again"),
}

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _check_editor(actor) -> None:
    if not can_edit_scripts(actor):
        raise PermissionDenied(_("Only supervisors, managers, HR and administrators edit scripts."))


def _check_text(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise ValidationError(_("A script version needs its text."))
    return body


def _check_stage(stage: str) -> None:
    if stage not in Script.Stage.values:
        raise ValidationError(
            _("“%(value)s” is not a stage of a call; the stages are %(stages)s.")
            % {"value": stage, "stages": ", ".join(Script.Stage.values)}
        )


def moves_from(status: str) -> list[tuple[str, str]]:
    """The moves a version in this status may make: (to status, label)."""
    return [(to, str(label)) for (start, to), label in MOVES.items() if start == status]


@transaction.atomic
def script_create(
    *,
    actor,
    code: str,
    title: str,
    stage: str,
    body: str,
    change_note: str = "",
    product=None,
) -> Script:
    """A new script of the library, with its first version as a draft."""
    _check_editor(actor)
    code = (code or "").strip()
    if not _CODE.match(code):
        raise ValidationError(
            _("A code is made of letters, digits, “_” and “-”, at most 40, for example opening.")
        )
    if Script.objects.filter(code=code).exists():
        raise ValidationError(_("A script with the code %(code)s already exists.") % {"code": code})
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("A script needs a title."))
    _check_stage(stage)
    body = _check_text(body)
    script = Script.objects.create(code=code, title=title, stage=stage, product=product)
    audit_record(
        actor=actor, action="script.create", obj=script, after=snapshot(script, SCRIPT_FIELDS)
    )
    _version_add(actor=actor, script=script, body=body, change_note=change_note)
    return script


@transaction.atomic
def script_update(*, actor, script: Script, title: str, stage: str, product, is_active: bool):
    """Change a script's title, stage, product or whether it is in use; its code and its
    versions stay as they are."""
    _check_editor(actor)
    script = Script.objects.select_for_update().get(pk=script.pk)
    before = snapshot(script, SCRIPT_FIELDS)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("A script needs a title."))
    _check_stage(stage)
    script.title, script.stage, script.product, script.is_active = title, stage, product, is_active
    script.save()
    audit_record(
        actor=actor,
        action="script.update",
        obj=script,
        before=before,
        after=snapshot(script, SCRIPT_FIELDS),
    )
    return script


def _version_add(*, actor, script: Script, body: str, change_note: str) -> ScriptVersion:
    # The script row is locked by the caller or new, so the next number is ours alone.
    latest = script.versions.aggregate(latest=Max("number"))["latest"] or 0
    version = ScriptVersion.objects.create(
        script=script,
        number=latest + 1,
        body=body,
        change_note=(change_note or "").strip()[:300],
        author=_user(actor),
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="script_version.create",
        obj=version,
        after=snapshot(version, VERSION_FIELDS),
    )
    return version


@transaction.atomic
def script_version_create(
    *, actor, script: Script, body: str, change_note: str = ""
) -> ScriptVersion:
    """A new version of a script, numbered after the latest, as a draft: a published text
    is never edited, a change is a new version."""
    _check_editor(actor)
    script = Script.objects.select_for_update().get(pk=script.pk)
    return _version_add(actor=actor, script=script, body=_check_text(body), change_note=change_note)


@transaction.atomic
def script_version_update(
    *, actor, version: ScriptVersion, body: str, change_note: str = ""
) -> ScriptVersion:
    """Change the text of a draft. A published or retired version never changes."""
    _check_editor(actor)
    version = ScriptVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != Status.DRAFT:
        raise ValidationError(
            _(
                "Version %(number)s is %(status)s: its text can no longer change. Write a new "
                "version instead."
            )
            % {"number": version.number, "status": version.get_status_display()}
        )
    before = snapshot(version, VERSION_FIELDS)
    version.body = _check_text(body)
    version.change_note = (change_note or "").strip()[:300]
    version.save(update_fields=["body", "change_note"])
    audit_record(
        actor=actor,
        action="script_version.update",
        obj=version,
        before=before,
        after=snapshot(version, VERSION_FIELDS),
    )
    return version


@transaction.atomic
def script_version_transition(*, actor, version: ScriptVersion, to_status: str) -> ScriptVersion:
    """Move a version along the table MOVES: publish a draft (several versions may be
    published at once, for an A/B test), retire a published version (outcomes keep naming
    it), publish a retired version again, or withdraw a draft never published."""
    _check_editor(actor)
    version = ScriptVersion.objects.select_for_update().select_related("script").get(pk=version.pk)
    start = version.status
    if (start, to_status) not in MOVES:
        labels = dict(Status.choices)
        raise ValidationError(
            _("A version cannot go from %(from)s to %(to)s.")
            % {"from": labels.get(start, start), "to": labels.get(to_status, to_status)}
        )
    before = snapshot(version, VERSION_FIELDS)
    now = timezone.now()
    version.status = to_status
    if to_status == Status.PUBLISHED:
        version.published_at, version.published_by = now, _user(actor)
        version.retired_at = None
    elif to_status == Status.RETIRED:
        version.retired_at = now
    version.save(update_fields=["status", "published_at", "published_by", "retired_at"])
    audit_record(
        actor=actor,
        action=f"script_version.{to_status}",
        obj=version,
        before=before,
        after=snapshot(version, VERSION_FIELDS),
    )
    return version
