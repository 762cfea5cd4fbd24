"""The script library (source §2.3.1): scripts and their numbered versions, the version
workflow draft → published → retired, and outcomes naming the version the rep used."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from telesales.core.models import AuditEvent
from telesales.crm.customers.services import customer_create, outcome_record
from telesales.crm.models import Customer, Disposition, Outcome, Script, ScriptVersion
from telesales.crm.scripts import access, services
from telesales.crm.scripts.selectors import version_diff, versions_for_outcomes

pytestmark = pytest.mark.usefixtures("english")

Status = ScriptVersion.Status
_phones = itertools.count(1)


def _script(actor, code="opening", body="您好，我是星辰科技的小王。") -> Script:
    return services.script_create(
        actor=actor, code=code, title="开场白", stage=Script.Stage.OPENING, body=body
    )


def _publish(actor, version) -> ScriptVersion:
    return services.script_version_transition(
        actor=actor, version=version, to_status=Status.PUBLISHED
    )


def _customer(owner) -> Customer:
    return customer_create(actor=None, phone=f"1380000{next(_phones):04d}", owner=owner)


def _d(code: str) -> Disposition:
    return Disposition.objects.get(code=code)


# -- the library ------------------------------------------------------------------------------------


def test_a_new_script_has_its_first_version_as_a_draft(org):
    # when
    script = _script(org.s1.user)
    # then
    version = script.versions.get()
    assert (script.code, script.title, script.stage, script.is_active) == (
        "opening",
        "开场白",
        "opening",
        True,
    )
    assert (version.number, version.status, version.body, version.author) == (
        1,
        Status.DRAFT,
        "您好，我是星辰科技的小王。",
        org.s1.user,
    )
    assert list(
        AuditEvent.objects.filter(actor=org.s1.user)
        .order_by("id")
        .values_list("action", "object_id")
    ) == [("script.create", str(script.pk)), ("script_version.create", str(version.pk))]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "开场"}, "A code is made of letters, digits"),
        ({"code": ""}, "A code is made of letters, digits"),
        ({"title": "  "}, "A script needs a title."),
        ({"stage": "greeting"}, "“greeting” is not a stage of a call"),
        ({"body": " \n "}, "A script version needs its text."),
    ],
)
def test_a_script_with_bad_input_is_refused_and_nothing_is_stored(org, changes, message):
    # given
    values = {"code": "opening", "title": "开场白", "stage": "opening", "body": "您好"}
    values.update(changes)
    # when
    with pytest.raises(ValidationError) as error:
        services.script_create(actor=org.s1.user, **values)
    # then
    assert message in error.value.messages[0]
    assert (Script.objects.count(), ScriptVersion.objects.count()) == (0, 0)


def test_a_second_script_with_the_same_code_is_refused(org):
    # given
    _script(org.s1.user)
    # when
    with pytest.raises(ValidationError) as error:
        _script(org.s2.user, body="另一份")
    # then
    assert error.value.messages == ["A script with the code opening already exists."]
    assert (Script.objects.count(), ScriptVersion.objects.count()) == (1, 1)


def test_a_new_version_is_numbered_after_the_latest_and_is_a_draft(org):
    # given
    script = _script(org.s1.user)
    _publish(org.s1.user, script.versions.get())
    # when
    second = services.script_version_create(
        actor=org.manager.user, script=script, body="新的开场白", change_note="更短"
    )
    third = services.script_version_create(actor=org.hr.user, script=script, body="第三版")
    # then
    assert [(v.number, v.status) for v in script.versions.order_by("number")] == [
        (1, Status.PUBLISHED),
        (2, Status.DRAFT),
        (3, Status.DRAFT),
    ]
    assert (second.change_note, second.author, third.author) == (
        "更短",
        org.manager.user,
        org.hr.user,
    )


def test_a_draft_may_change_its_text(org):
    # given
    draft = _script(org.s1.user).versions.get()
    # when
    services.script_version_update(actor=org.s2.user, version=draft, body="改过的", change_note="x")
    # then
    draft.refresh_from_db()
    assert (draft.body, draft.change_note, draft.number) == ("改过的", "x", 1)
    assert AuditEvent.objects.filter(action="script_version.update").count() == 1


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETIRED])
def test_a_published_or_retired_text_never_changes(org, status):
    # given
    version = _publish(org.s1.user, _script(org.s1.user).versions.get())
    if status == Status.RETIRED:
        services.script_version_transition(actor=org.s1.user, version=version, to_status=status)
    audits = AuditEvent.objects.count()
    # when
    with pytest.raises(ValidationError) as error:
        services.script_version_update(actor=org.s1.user, version=version, body="偷偷改一下")
    # then
    assert error.value.messages == [
        f"Version 1 is {status.label}: its text can no longer change. Write a new version instead."
    ]
    version.refresh_from_db()
    assert (version.body, version.status) == ("您好，我是星辰科技的小王。", status)
    assert AuditEvent.objects.count() == audits


# -- the workflow -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "published", "retired"),
    [
        ([Status.PUBLISHED], True, False),
        ([Status.RETIRED], False, True),  # a draft withdrawn
        ([Status.PUBLISHED, Status.RETIRED], True, True),
        ([Status.PUBLISHED, Status.RETIRED, Status.PUBLISHED], True, False),
    ],
)
def test_the_allowed_moves(org, path, published, retired):
    # given
    version = _script(org.s1.user).versions.get()
    # when
    for to_status in path:
        version = services.script_version_transition(
            actor=org.s1.user, version=version, to_status=to_status
        )
    # then
    version.refresh_from_db()
    assert version.status == path[-1]
    assert (version.published_at is not None, version.retired_at is not None) == (
        published,
        retired,
    )
    if published:
        assert version.published_by == org.s1.user
    assert [
        a.split(".")[1]
        for a in AuditEvent.objects.filter(action__startswith="script_version.")
        .exclude(action="script_version.create")
        .order_by("id")
        .values_list("action", flat=True)
    ] == [str(s) for s in path]


@pytest.mark.parametrize(
    ("path", "refused", "message"),
    [
        ([], Status.DRAFT, "A version cannot go from Draft to Draft."),
        ([Status.PUBLISHED], Status.DRAFT, "A version cannot go from Published to Draft."),
        ([Status.PUBLISHED], Status.PUBLISHED, "A version cannot go from Published to Published."),
        ([Status.RETIRED], Status.DRAFT, "A version cannot go from Retired to Draft."),
        ([], "approved", "A version cannot go from Draft to approved."),
    ],
)
def test_refused_moves_change_nothing(org, path, refused, message):
    # given
    version = _script(org.s1.user).versions.get()
    for to_status in path:
        version = services.script_version_transition(
            actor=org.s1.user, version=version, to_status=to_status
        )
    audits = AuditEvent.objects.count()
    # when
    with pytest.raises(ValidationError) as error:
        services.script_version_transition(actor=org.s1.user, version=version, to_status=refused)
    # then
    assert error.value.messages == [message]
    assert ScriptVersion.objects.get(pk=version.pk).status == (path[-1] if path else Status.DRAFT)
    assert AuditEvent.objects.count() == audits


def test_two_versions_may_be_published_at_once_for_an_a_b_test(org):
    # given
    script = _script(org.s1.user)
    first = _publish(org.s1.user, script.versions.get())
    second = services.script_version_create(actor=org.s1.user, script=script, body="第二版")
    # when
    _publish(org.s1.user, second)
    # then
    assert list(versions_for_outcomes().values_list("number", flat=True)) == [1, 2]
    first.refresh_from_db()
    assert first.status == Status.PUBLISHED


def test_an_inactive_script_offers_no_version_to_the_outcome_form(org):
    # given
    script = _script(org.s1.user)
    _publish(org.s1.user, script.versions.get())
    # when
    services.script_update(
        actor=org.s1.user,
        script=script,
        title="旧开场白",
        stage="opening",
        product=None,
        is_active=False,
    )
    # then
    assert list(versions_for_outcomes()) == []
    script.refresh_from_db()
    assert (script.title, script.is_active) == ("旧开场白", False)


@pytest.mark.parametrize("who", ["r1", "staff"])
def test_reps_and_staff_cannot_edit_scripts_and_nothing_changes(org, who):
    # given
    user = getattr(org, who).user
    script = _script(org.s1.user)
    draft = script.versions.get()
    audits = AuditEvent.objects.count()
    # when / then
    with pytest.raises(PermissionDenied):
        services.script_create(actor=user, code="x", title="x", stage="opening", body="x")
    with pytest.raises(PermissionDenied):
        services.script_version_create(actor=user, script=script, body="x")
    with pytest.raises(PermissionDenied):
        services.script_version_update(actor=user, version=draft, body="x")
    with pytest.raises(PermissionDenied):
        services.script_version_transition(actor=user, version=draft, to_status=Status.PUBLISHED)
    with pytest.raises(PermissionDenied):
        services.script_update(
            actor=user, script=script, title="x", stage="opening", product=None, is_active=False
        )
    draft.refresh_from_db()
    script.refresh_from_db()
    assert (draft.body, draft.status, script.title, script.is_active) == (
        "您好，我是星辰科技的小王。",
        Status.DRAFT,
        "开场白",
        True,
    )
    assert (Script.objects.count(), ScriptVersion.objects.count()) == (1, 1)
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize(
    ("who", "sees", "edits"),
    [
        ("r1", True, False),
        ("s1", True, True),
        ("manager", True, True),
        ("hr", True, True),
        ("admin", True, True),
        ("staff", False, False),
    ],
)
def test_who_reads_and_who_edits(org, who, sees, edits):
    user = getattr(org, who).user
    assert (access.can_see_scripts(user), access.can_edit_scripts(user)) == (sees, edits)


def test_reps_see_only_published_versions_of_active_scripts(org):
    # given
    script = _script(org.s1.user)
    _publish(org.s1.user, script.versions.get())
    services.script_version_create(actor=org.s1.user, script=script, body="草稿")
    _script(org.s1.user, code="closing")  # a draft only
    # when
    scripts = set(access.scripts_visible_to(org.r1.user).values_list("code", flat=True))
    versions = list(access.versions_visible_to(org.r1.user).values_list("number", flat=True))
    # then
    assert scripts == {"opening"}
    assert versions == [1]
    assert set(access.scripts_visible_to(org.s2.user).values_list("code", flat=True)) == {
        "opening",
        "closing",
    }


# -- outcomes name their version ----------------------------------------------------------------------


def test_an_outcome_names_the_published_version_used(org):
    # given
    version = _publish(org.s1.user, _script(org.s1.user).versions.get())
    customer = _customer(org.r1)
    # when
    outcome = outcome_record(
        actor=org.r1.user,
        customer=customer,
        disposition=_d("intent"),
        employee=org.r1,
        script_version=version,
    )
    # then
    outcome.refresh_from_db()
    assert outcome.script_version == version
    assert list(version.outcomes.all()) == [outcome]
    audit = AuditEvent.objects.get(action="outcome.record", object_id=str(outcome.pk))
    assert audit.after["script_version_id"] == version.pk


def test_an_outcome_without_a_version_is_as_before(org):
    outcome = outcome_record(
        actor=org.r1.user, customer=_customer(org.r1), disposition=_d("busy"), employee=org.r1
    )
    assert outcome.script_version is None


@pytest.mark.parametrize("state", ["draft", "retired", "inactive script"])
def test_an_outcome_naming_an_unpublished_version_is_refused_and_nothing_is_stored(org, state):
    # given
    script = _script(org.s1.user)
    version = script.versions.get()
    if state != "draft":
        version = _publish(org.s1.user, version)
    if state == "retired":
        services.script_version_transition(
            actor=org.s1.user, version=version, to_status=Status.RETIRED
        )
    if state == "inactive script":
        services.script_update(
            actor=org.s1.user,
            script=script,
            title="开场白",
            stage="opening",
            product=None,
            is_active=False,
        )
    customer = _customer(org.r1)
    # when
    with pytest.raises(ValidationError) as error:
        outcome_record(
            actor=org.r1.user,
            customer=customer,
            disposition=_d("sale"),
            employee=org.r1,
            script_version=version,
        )
    # then
    assert error.value.messages == [
        "Only a published version of a script in use can be named on an outcome."
    ]
    customer.refresh_from_db()
    assert (Outcome.objects.count(), customer.attempts, customer.last_disposition) == (0, 0, None)


def test_a_version_named_on_an_outcome_cannot_be_deleted(org):
    # given
    from django.db.models import ProtectedError

    version = _publish(org.s1.user, _script(org.s1.user).versions.get())
    outcome_record(
        actor=org.r1.user,
        customer=_customer(org.r1),
        disposition=_d("sale"),
        employee=org.r1,
        script_version=version,
    )
    # when / then
    with pytest.raises(ProtectedError):
        version.delete()


# -- the difference between versions ----------------------------------------------------------------


def test_the_difference_between_two_texts_line_by_line():
    # given
    old = "您好\n我是小王\n请问方便吗？"
    new = "您好\n我是星辰科技的小王\n请问方便吗？\n打扰一分钟"
    # when
    lines = version_diff(old, new)
    # then
    assert [(line.kind, line.old_number, line.new_number, line.text) for line in lines] == [
        ("same", 1, 1, "您好"),
        ("removed", 2, None, "我是小王"),
        ("added", None, 2, "我是星辰科技的小王"),
        ("same", 3, 3, "请问方便吗？"),
        ("added", None, 4, "打扰一分钟"),
    ]
