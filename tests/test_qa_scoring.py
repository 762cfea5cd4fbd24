"""QA scorecards and reviews (source §2.1.2): the default scorecard, score = Σ awarded / Σ
possible × 100, instant fails, drafts and submission, acknowledgement by the rep, and
versions that never change once a review used them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.qa.models import Checkpoint, Review, ReviewItem, Scorecard, ScorecardVersion
from telesales.qa.services import (
    CheckpointSpec,
    Mark,
    review_acknowledge,
    review_save,
    review_verdict,
    scorecard_create,
    scorecard_edit,
)
from tests.test_qa_support import default_version, make_calls, mapped, marks

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def calls(org):
    mapped(org)
    return make_calls(
        [
            ("R1", "2026-03-02 10:00:00", 120),
            ("R1", "2026-03-03 10:00:00", 200),
            ("R3", "2026-03-03 11:00:00", 90),
        ]
    )


def _counts() -> tuple[int, int]:
    return Review.objects.count(), ReviewItem.objects.count()


# -- the default scorecard ---------------------------------------------------------------------


def test_the_default_scorecard_is_in_every_database(db):
    # when
    version = default_version()
    rows = list(
        version.checkpoints.order_by("instant_fail", "order").values_list(
            "label", "points", "instant_fail"
        )
    )
    # then
    assert (version.scorecard.code, version.number, version.passing_score) == (
        "default",
        1,
        Decimal("80.00"),
    )
    assert rows == [
        ("开场白规范", 10, False),
        ("需求挖掘", 20, False),
        ("产品介绍准确", 20, False),
        ("异议处理", 20, False),
        ("促成与约定下一步", 15, False),
        ("服务态度与礼貌用语", 15, False),
        ("违规承诺/虚假宣传", 0, True),
        ("辱骂或不尊重客户", 0, True),
        ("泄露客户信息", 0, True),
    ]


# -- the verdict -------------------------------------------------------------------------------


def _card(org, points=(10, 10, 10), passing=80) -> ScorecardVersion:
    return scorecard_create(
        actor=org.admin.user,
        code="short",
        name="三项",
        passing_score=passing,
        checkpoints=[CheckpointSpec(f"项目{i}", p) for i, p in enumerate(points, 1)]
        + [CheckpointSpec("红线", instant_fail=True)],
    )


def _verdict(version, awarded, triggered=False):
    cps = list(version.checkpoints.order_by("instant_fail", "order"))
    given = {c.pk: Mark(c.pk, awarded=a) for c, a in zip(cps, awarded, strict=False)}
    red = cps[-1]
    given[red.pk] = Mark(red.pk, triggered=triggered)
    return review_verdict(cps, given, version.passing_score)


def test_score_is_awarded_over_possible_times_100_rounded_half_up_to_2_places(org):
    # given: 30 points possible
    version = _card(org)
    # when / then: 24 / 30 = 80 % passes at a passing score of 80
    verdict = _verdict(version, (7, 8, 9))
    assert (verdict.score, verdict.passed, verdict.awarded, verdict.possible) == (
        Decimal("80.00"),
        True,
        24,
        30,
    )
    # 20 / 30 = 66.666… → 66.67, failed; 1 / 30 = 3.333… → 3.33
    assert (_verdict(version, (10, 10, 0)).score, _verdict(version, (10, 10, 0)).passed) == (
        Decimal("66.67"),
        False,
    )
    assert _verdict(version, (1, 0, 0)).score == Decimal("3.33")
    # 23.5 / 30 cannot happen: points are whole; 79.99 would fail
    assert _verdict(version, (10, 10, 10)).score == Decimal("100.00")


def test_a_triggered_instant_fail_item_fails_the_review_with_score_0(org):
    # given
    version = _card(org)
    # when
    verdict = _verdict(version, (10, 10, 10), triggered=True)
    # then
    assert (verdict.score, verdict.instant_failed, verdict.passed) == (Decimal("0.00"), True, False)


# -- reviews through the service ---------------------------------------------------------------


def test_a_supervisor_submits_a_review_of_a_reps_call(org, calls):
    # given
    version = default_version()
    awarded = {"开场白规范": 9, "需求挖掘": 16, "产品介绍准确": 18, "异议处理": 14}
    at = timezone.make_aware(dt.datetime(2026, 3, 4, 9, 0))
    # when: 9 + 16 + 18 + 14 + 15 + 15 = 87 of 100
    review = review_save(
        actor=org.s1.user,
        call=calls[0],
        version=version,
        marks=marks(version, awarded),
        comment="需求挖掘可以更深入",
        submit=True,
        at=at,
    )
    # then
    review.refresh_from_db()
    assert (review.status, review.kind, review.score, review.passed, review.instant_failed) == (
        "submitted",
        "regular",
        Decimal("87.00"),
        True,
        False,
    )
    assert (review.reviewer, review.reviewed_at, review.comment) == (
        org.s1,
        at,
        "需求挖掘可以更深入",
    )
    assert review.items.count() == 9
    event = AuditEvent.objects.get(action="qa.review.submit")
    assert (event.actor, event.object_id, event.after["score"]) == (
        org.s1.user,
        str(review.pk),
        "87.00",
    )


def test_an_instant_fail_makes_a_full_marks_review_fail_with_score_0(org, calls):
    # given: every checkpoint at full points, but a false promise
    version = default_version()
    # when
    review = review_save(
        actor=org.s1.user,
        call=calls[0],
        version=version,
        marks=marks(version, {}, triggered={"违规承诺/虚假宣传"}),
        submit=True,
    )
    # then
    review.refresh_from_db()
    assert (review.score, review.instant_failed, review.passed) == (Decimal("0.00"), True, False)
    triggered = review.items.filter(triggered=True).values_list("checkpoint__label", flat=True)
    assert list(triggered) == ["违规承诺/虚假宣传"]


def test_a_draft_keeps_partial_scores_and_is_submitted_later(org, calls):
    # given: a draft with two checkpoints scored
    version = default_version()
    cps = {c.label: c for c in version.checkpoints.all()}
    draft = review_save(
        actor=org.s1.user,
        call=calls[0],
        version=version,
        marks=[Mark(cps["开场白规范"].pk, awarded=8), Mark(cps["需求挖掘"].pk, awarded=15)],
    )
    assert (draft.status, draft.score, draft.passed, draft.reviewed_at) == (
        "draft",
        None,
        None,
        None,
    )
    # when: submitting it incomplete is refused
    with pytest.raises(ValidationError, match="Score every checkpoint before submitting"):
        review_save(
            actor=org.s1.user,
            call=calls[0],
            version=version,
            marks=[Mark(cps["开场白规范"].pk, awarded=8)],
            submit=True,
        )
    # then the complete one is the same row, now submitted: 8 + 15 + 20 + 20 + 15 + 15 = 93
    review = review_save(
        actor=org.s1.user,
        call=calls[0],
        version=version,
        marks=marks(version, {"开场白规范": 8, "需求挖掘": 15}),
        submit=True,
    )
    assert review.pk == draft.pk
    assert (review.status, review.score) == ("submitted", Decimal("93.00"))
    assert Review.objects.count() == 1


def test_points_outside_a_checkpoints_range_are_refused_and_nothing_is_stored(org, calls):
    # given
    version = default_version()
    # when / then
    with pytest.raises(ValidationError, match="“开场白规范” is scored from 0 to 10 points"):
        review_save(
            actor=org.s1.user,
            call=calls[0],
            version=version,
            marks=marks(version, {"开场白规范": 11}),
            submit=True,
        )
    assert _counts() == (0, 0)


def test_a_submitted_review_is_final(org, calls):
    # given
    version = default_version()
    review_save(
        actor=org.s1.user, call=calls[0], version=version, marks=marks(version, {}), submit=True
    )
    # when / then
    with pytest.raises(ValidationError, match="already submitted a review of this call"):
        review_save(
            actor=org.s1.user,
            call=calls[0],
            version=version,
            marks=marks(version, {"需求挖掘": 0}),
            submit=True,
        )
    assert Review.objects.get().score == Decimal("100.00")


def test_a_second_regular_review_of_a_call_is_refused(org, calls):
    # given: S1 reviewed the call
    version = default_version()
    review_save(
        actor=org.s1.user, call=calls[0], version=version, marks=marks(version, {}), submit=True
    )
    # when / then: M1's own review must be a calibration
    with pytest.raises(ValidationError, match="already reviewed by 李主管"):
        review_save(
            actor=org.manager.user,
            call=calls[0],
            version=version,
            marks=marks(version, {}),
            submit=True,
        )
    assert _counts() == (1, 9)


def test_reviews_need_a_reviewer_with_the_call_in_scope(org, calls):
    # given
    version = default_version()
    # when / then: S2 may not review T1's calls, R1 reviews nothing, a rep's own call is out
    for user, call in ((org.s2.user, calls[0]), (org.r2.user, calls[0]), (org.s1.user, calls[2])):
        with pytest.raises(PermissionDenied):
            review_save(
                actor=user, call=call, version=version, marks=marks(version, {}), submit=True
            )
    assert _counts() == (0, 0)


def test_the_rep_acknowledges_a_submitted_review_once(org, calls):
    # given
    version = default_version()
    review = review_save(
        actor=org.s1.user, call=calls[0], version=version, marks=marks(version, {}), submit=True
    )
    at = timezone.make_aware(dt.datetime(2026, 3, 5, 8, 30))
    # when: R2 may not, R1 does
    with pytest.raises(PermissionDenied):
        review_acknowledge(actor=org.r2.user, review=review, comment="?")
    review_acknowledge(actor=org.r1.user, review=review, comment=" 收到，会改进 ", at=at)
    # then
    review.refresh_from_db()
    assert (review.acknowledged_at, review.acknowledgement) == (at, "收到，会改进")
    with pytest.raises(PermissionDenied):
        review_acknowledge(actor=org.r1.user, review=review, comment="again")
    review.refresh_from_db()
    assert review.acknowledgement == "收到，会改进"
    assert AuditEvent.objects.filter(action="qa.review.acknowledge").count() == 1


def test_a_draft_cannot_be_acknowledged(org, calls):
    # given
    version = default_version()
    review = review_save(actor=org.s1.user, call=calls[0], version=version, marks=[])
    # when / then
    with pytest.raises(PermissionDenied):
        review_acknowledge(actor=org.r1.user, review=review)


# -- versions ----------------------------------------------------------------------------------


def test_editing_an_unused_version_changes_it_in_place(org):
    # given
    version = _card(org)
    # when
    edited = scorecard_edit(
        actor=org.manager.user,
        scorecard=version.scorecard,
        name="三项（修订）",
        passing_score=75,
        checkpoints=[CheckpointSpec("项目1", 20), CheckpointSpec("红线", instant_fail=True)],
    )
    # then
    assert edited.pk == version.pk
    assert (edited.number, edited.name, edited.passing_score) == (1, "三项（修订）", Decimal(75))
    assert list(edited.checkpoints.values_list("label", "points")) == [("项目1", 20), ("红线", 0)]


def test_a_version_used_by_a_review_is_never_changed_editing_makes_the_next(org, calls):
    # given: a review on version 1 of the default scorecard
    v1 = default_version()
    review = review_save(
        actor=org.s1.user, call=calls[0], version=v1, marks=marks(v1, {}), submit=True
    )
    before = list(v1.checkpoints.order_by("pk").values_list("pk", "label", "points"))
    # when: HR raises the passing score and drops a checkpoint
    v2 = scorecard_edit(
        actor=org.hr.user,
        scorecard=v1.scorecard,
        name="电销通话质检标准 2026",
        passing_score=85,
        checkpoints=[
            CheckpointSpec(c.label, c.points, c.instant_fail, c.guidance)
            for c in v1.checkpoints.order_by("instant_fail", "order")
            if c.label != "开场白规范"
        ],
    )
    # then
    assert (v2.number, v2.passing_score, v2.checkpoints.count()) == (2, Decimal(85), 8)
    v1.refresh_from_db()
    assert (v1.number, v1.passing_score, v1.name) == (1, Decimal(80), "电销通话质检标准")
    assert list(v1.checkpoints.order_by("pk").values_list("pk", "label", "points")) == before
    review.refresh_from_db()
    assert review.version_id == v1.pk
    assert AuditEvent.objects.filter(action="qa.scorecard.version").count() == 1


def test_only_admins_hr_and_managers_edit_scorecards(org):
    # given
    count = (
        Scorecard.objects.count(),
        ScorecardVersion.objects.count(),
        Checkpoint.objects.count(),
    )
    # when / then
    for user in (org.s1.user, org.r1.user, org.staff.user):
        with pytest.raises(PermissionDenied):
            scorecard_create(
                actor=user,
                code="x",
                name="x",
                passing_score=80,
                checkpoints=[CheckpointSpec("a", 10)],
            )
    assert (
        Scorecard.objects.count(),
        ScorecardVersion.objects.count(),
        Checkpoint.objects.count(),
    ) == count


@pytest.mark.parametrize(
    ("checkpoints", "passing", "message"),
    [
        ([CheckpointSpec("红线", instant_fail=True)], 80, "at least one checkpoint with points"),
        ([CheckpointSpec("a", 0)], 80, "needs from 1 to 1000 points"),
        ([CheckpointSpec("a", 10), CheckpointSpec("a", 5)], 80, "appears twice"),
        ([CheckpointSpec("", 10)], 80, "needs a label"),
        ([CheckpointSpec("a", 10)], 101, "from 0 to 100"),
        ([CheckpointSpec("a", 10)], "80.555", "two decimal places"),
    ],
)
def test_a_bad_scorecard_is_refused_with_a_reason(org, checkpoints, passing, message):
    # when / then
    with pytest.raises(ValidationError, match=message):
        scorecard_create(
            actor=org.admin.user,
            code="bad",
            name="bad",
            passing_score=passing,
            checkpoints=checkpoints,
        )
    assert not Scorecard.objects.filter(code="bad").exists()
