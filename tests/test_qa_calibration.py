"""Calibration (source §2.1.2): a second reviewer scores a reviewed call again; the pair
shows both reviewers' points per checkpoint, the differences, and the difference of the
totals and verdicts. A calibration review never counts in the KPIs (see test_kpi_qa)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from telesales.qa import access
from telesales.qa.models import Review
from telesales.qa.selectors import calibration_compare
from telesales.qa.services import CheckpointSpec, review_save, scorecard_create
from tests.test_qa_support import default_version, make_calls, mapped, marks

pytestmark = pytest.mark.usefixtures("english")

FIRST = {"开场白规范": 9, "需求挖掘": 16, "产品介绍准确": 18, "异议处理": 14}  # 87
SECOND = {"开场白规范": 10, "需求挖掘": 10, "产品介绍准确": 18, "异议处理": 10}  # 78


@pytest.fixture
def pair(org):
    """S1 reviewed R1's call with 87 (passed); M1 calibrated it with 78 (failed)."""
    mapped(org)
    (call,) = make_calls([("R1", "2026-03-02 10:00:00", 180)])
    version = default_version()
    review = review_save(
        actor=org.s1.user, call=call, version=version, marks=marks(version, FIRST), submit=True
    )
    calibration = review_save(
        actor=org.manager.user,
        call=call,
        version=version,
        marks=marks(version, SECOND),
        comment="需求挖掘评分偏松",
        submit=True,
        calibrates=review,
    )
    return org, review, calibration


def test_a_calibration_is_a_second_review_of_the_same_call(pair):
    # given
    org, review, calibration = pair
    calibration.refresh_from_db()
    # then
    assert (calibration.kind, calibration.calibrates_id, calibration.call_id) == (
        "calibration",
        review.pk,
        review.call_id,
    )
    assert (calibration.score, calibration.passed) == (Decimal("78.00"), False)


def test_the_comparison_shows_points_and_differences_per_checkpoint(pair):
    # given
    _org, review, calibration = pair
    # when
    comparison = calibration_compare(
        Review.objects.select_related("calibrates", "version").get(pk=calibration.pk)
    )
    # then
    assert [
        (
            line.checkpoint.label,
            line.first.awarded if not line.checkpoint.instant_fail else line.first.triggered,
            line.second.awarded if not line.checkpoint.instant_fail else line.second.triggered,
            line.difference,
        )
        for line in comparison.lines
    ] == [
        ("开场白规范", 9, 10, 1),
        ("需求挖掘", 16, 10, -6),
        ("产品介绍准确", 18, 18, 0),
        ("异议处理", 14, 10, -4),
        ("促成与约定下一步", 15, 15, 0),
        ("服务态度与礼貌用语", 15, 15, 0),
        ("违规承诺/虚假宣传", False, False, 0),
        ("辱骂或不尊重客户", False, False, 0),
        ("泄露客户信息", False, False, 0),
    ]
    assert comparison.score_difference == Decimal("-9.00")
    assert (comparison.same_verdict, comparison.disagreements) == (False, 3)


def test_an_instant_fail_seen_by_one_reviewer_only_is_a_difference(org):
    # given
    mapped(org)
    (call,) = make_calls([("R1", "2026-03-02 10:00:00", 180)])
    version = default_version()
    review = review_save(
        actor=org.s1.user, call=call, version=version, marks=marks(version, {}), submit=True
    )
    calibration = review_save(
        actor=org.hr.user,
        call=call,
        version=version,
        marks=marks(version, {}, triggered={"泄露客户信息"}),
        submit=True,
        calibrates=review,
    )
    # when
    comparison = calibration_compare(calibration)
    # then
    leak = next(line for line in comparison.lines if line.checkpoint.label == "泄露客户信息")
    assert leak.difference == 1
    assert comparison.score_difference == Decimal("-100.00")
    assert (comparison.same_verdict, comparison.disagreements) == (False, 1)


def test_a_calibration_needs_a_second_reviewer_the_same_version_and_a_submitted_review(org):
    # given: S1's draft, then S1's submitted review
    mapped(org)
    (call,) = make_calls([("R1", "2026-03-02 10:00:00", 180)])
    version = default_version()
    draft = review_save(actor=org.s1.user, call=call, version=version, marks=[])
    with pytest.raises(ValidationError, match="Only a submitted review of this call"):
        review_save(
            actor=org.manager.user,
            call=call,
            version=version,
            marks=marks(version, {}),
            submit=True,
            calibrates=draft,
        )
    review = review_save(
        actor=org.s1.user, call=call, version=version, marks=marks(version, {}), submit=True
    )
    other = scorecard_create(
        actor=org.admin.user,
        code="other",
        name="other",
        passing_score=60,
        checkpoints=[CheckpointSpec("a", 10)],
    )
    # when / then
    with pytest.raises(ValidationError, match="uses the scorecard version of the review"):
        review_save(
            actor=org.manager.user,
            call=call,
            version=other,
            marks=[],
            submit=False,
            calibrates=review,
        )
    with pytest.raises(PermissionDenied):  # S2 may not review T1's calls
        review_save(
            actor=org.s2.user,
            call=call,
            version=version,
            marks=marks(version, {}),
            submit=True,
            calibrates=review,
        )
    assert not access.may_calibrate(org.s1.user, review)  # not one's own review
    assert not access.may_calibrate(org.s2.user, review)
    assert access.may_calibrate(org.manager.user, review)
    assert Review.objects.filter(kind="calibration").count() == 0


def test_a_reviewer_calibrates_a_review_once(pair):
    # given
    org, review, _calibration = pair
    # then
    assert not access.may_calibrate(org.manager.user, review)
    assert access.may_calibrate(org.hr.user, review)


def test_the_calibration_pages_show_the_pair(pair, login_en):
    # given
    org, review, calibration = pair
    client = login_en(org.s1)
    # when
    listing = client.get("/qa/calibration/")
    detail = client.get(f"/qa/calibration/{calibration.pk}/")
    # then
    assert listing.status_code == 200
    assert [c.pk for c in listing.context["page"]] == [calibration.pk]
    assert listing.context["page"][0].difference == Decimal("-9.00")
    text = detail.content.decode()
    assert detail.status_code == 200
    assert "9 / 10" in text and "10 / 10" in text
    assert "The reviewers differ on 3 checkpoints." in text
    assert "-9.00" in text


def test_reps_and_other_teams_do_not_see_the_calibration(pair, login):
    # given
    org, _review, calibration = pair
    # when / then
    for employee in (org.r1, org.s2, org.staff):
        client = login(employee)
        assert client.get(f"/qa/calibration/{calibration.pk}/").status_code == 404
    assert login(org.r1).get("/qa/calibration/").status_code == 404
    assert list(login(org.s2).get("/qa/calibration/").context["page"]) == []
    # a rep's list of reviews holds the regular review only
    assert [r.pk for r in login(org.r1).get("/qa/reviews/").context["page"]] == [
        calibration.calibrates_id
    ]
