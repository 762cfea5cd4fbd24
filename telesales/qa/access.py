"""Who monitors, calibrates and coaches whom (PRODUCT.md §2), decided here once for the pages,
the services, the import and the command line.

- supervisors review and coach the reps of the teams they lead, managers those of their
  subtree, HR and administrators everyone; nobody reviews their own calls or coaches
  themselves;
- administrators, HR and managers edit the scorecards; supervisors use them;
- a rep sees only their own submitted reviews (not the calibration reviews of them), their own
  coaching sessions and the actions they own; staff see nothing here.
A draft review is seen by its reviewer alone.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from telesales.calls.models import Call
from telesales.org import access
from telesales.org.models import Employee, Role
from telesales.qa.models import CoachingAction, CoachingSession, QueueItem, Review, Scorecard

REVIEWER_ROLES = {Role.SUPERVISOR, Role.MANAGER, Role.HR, Role.ADMIN}
SCORECARD_EDITORS = {Role.MANAGER, Role.HR, Role.ADMIN}
IMPORTERS = {Role.SUPERVISOR, Role.MANAGER, Role.HR, Role.ADMIN}


def _system(user) -> bool:
    """No user (None, or a label such as "demo"): the system itself, which may do anything."""
    return user is None or not getattr(user, "pk", None)


def _own_employee_id(user) -> int | None:
    employee = access.scope_for(user).employee
    return employee.pk if employee is not None else None


def is_reviewer(user) -> bool:
    """Supervisors, managers, HR and administrators with an employee record review calls."""
    scope = access.scope_for(user)
    return scope.role in REVIEWER_ROLES and scope.employee is not None


def can_see_reviews(user) -> bool:
    return access.user_role(user) in REVIEWER_ROLES | {Role.REP}


def can_see_scorecards(user) -> bool:
    return access.user_role(user) in REVIEWER_ROLES


def can_edit_scorecards(user) -> bool:
    if _system(user):
        return True
    return access.user_role(user) in SCORECARD_EDITORS


def can_import(user) -> bool:
    """Reviewers import reviews of the calls they may review (checked row by row)."""
    if _system(user):
        return True
    return access.user_role(user) in IMPORTERS


def can_see_coaching(user) -> bool:
    return access.user_role(user) in REVIEWER_ROLES | {Role.REP}


# -- calls -------------------------------------------------------------------------------------


def reviewable_people(user) -> QuerySet[Employee]:
    """The people whose calls the user may review and whom the user may coach."""
    if _system(user):
        return Employee.objects.all()
    scope = access.scope_for(user)
    if scope.role not in REVIEWER_ROLES or scope.employee is None:
        return Employee.objects.none()
    people = Employee.objects.exclude(pk=scope.employee.pk)
    if scope.company_wide:
        return people
    return people.filter(pk__in=scope.employee_ids)


def calls_reviewable_by(user) -> QuerySet[Call]:
    """Calls of the people in the reviewer's scope, their own calls left out."""
    if _system(user):
        return Call.objects.filter(employee__isnull=False)
    scope = access.scope_for(user)
    if scope.role not in REVIEWER_ROLES or scope.employee is None:
        return Call.objects.none()
    calls = Call.objects.filter(employee__isnull=False).exclude(employee_id=scope.employee.pk)
    if scope.company_wide:
        return calls
    return calls.filter(employee_id__in=scope.employee_ids)


def may_review_call(user, call: Call) -> bool:
    if _system(user):
        return call.employee_id is not None
    return calls_reviewable_by(user).filter(pk=call.pk).exists()


def access_call_for_review(user, pk) -> Call:
    """The call with this id, if the user may review it; 404 otherwise."""
    try:
        return calls_reviewable_by(user).select_related("employee__team").get(pk=pk)
    except (Call.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- reviews -----------------------------------------------------------------------------------


def reviews_visible_to(user) -> QuerySet[Review]:
    """Submitted reviews of calls of the people in scope (a rep: their own regular reviews),
    and the user's own drafts."""
    reviews = Review.objects.all()
    if _system(user):
        return reviews
    scope = access.scope_for(user)
    if scope.role is None or scope.employee is None and not scope.company_wide:
        return reviews.none()
    submitted = Q(status=Review.Status.SUBMITTED)
    mine = Q(reviewer_id=scope.employee.pk) if scope.employee is not None else Q(pk__in=[])
    if scope.role == Role.REP:
        return reviews.filter(
            submitted, kind=Review.Kind.REGULAR, call__employee_id=scope.employee.pk
        )
    if scope.role not in REVIEWER_ROLES:
        return reviews.none()
    if scope.company_wide:
        return reviews.filter(submitted | mine)
    in_scope = Q(call__employee_id__in=scope.employee_ids - {scope.employee.pk})
    return reviews.filter((submitted & in_scope) | mine)


def access_review(user, pk) -> Review:
    """The review with this id, if the user may see it; 404 otherwise."""
    try:
        return (
            reviews_visible_to(user)
            .select_related(
                "call__employee__team", "reviewer", "version__scorecard", "calibrates__reviewer"
            )
            .get(pk=pk)
        )
    except (Review.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_edit_review(user, review: Review) -> bool:
    """A draft is finished by its reviewer, while the call is still theirs to review."""
    if review.status != Review.Status.DRAFT:
        return False
    if _system(user):
        return True
    return review.reviewer_id == _own_employee_id(user) and may_review_call(user, review.call)


def may_acknowledge(user, review: Review) -> bool:
    """The rep whose call it is acknowledges a submitted regular review, once (the system
    acts for the rep only in the demo)."""
    open_review = (
        review.status == Review.Status.SUBMITTED
        and review.kind == Review.Kind.REGULAR
        and review.acknowledged_at is None
    )
    if _system(user):
        return open_review
    return (
        review.status == Review.Status.SUBMITTED
        and review.kind == Review.Kind.REGULAR
        and review.acknowledged_at is None
        and review.call.employee_id is not None
        and review.call.employee_id == _own_employee_id(user)
    )


def may_calibrate(user, review: Review) -> bool:
    """A second reviewer who may review the call scores it again to compare, once."""
    if review.kind != Review.Kind.REGULAR or review.status != Review.Status.SUBMITTED:
        return False
    if _system(user):
        return True
    own = _own_employee_id(user)
    if own is None or own == review.reviewer_id or not may_review_call(user, review.call):
        return False
    return not Review.objects.filter(call_id=review.call_id, reviewer_id=own).exists()


def calibrations_visible_to(user) -> QuerySet[Review]:
    """Submitted calibration reviews the user may see, each with the review it calibrates."""
    if access.user_role(user) not in REVIEWER_ROLES:
        return Review.objects.none()
    return reviews_visible_to(user).filter(
        kind=Review.Kind.CALIBRATION, status=Review.Status.SUBMITTED
    )


def access_calibration(user, pk) -> Review:
    try:
        return (
            calibrations_visible_to(user)
            .select_related(
                "call__employee__team",
                "reviewer",
                "version__scorecard",
                "calibrates__reviewer",
            )
            .get(pk=pk)
        )
    except (Review.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- scorecards --------------------------------------------------------------------------------


def access_scorecard(user, pk) -> Scorecard:
    if not can_see_scorecards(user):
        raise Http404
    try:
        return Scorecard.objects.get(pk=pk)
    except (Scorecard.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- the queue ---------------------------------------------------------------------------------


def queue_visible_to(user) -> QuerySet[QueueItem]:
    """Queue items of the reps of the user's teams (a manager: the subtree; HR and
    administrators: all)."""
    if _system(user):
        return QueueItem.objects.all()
    if not is_reviewer(user):
        return QueueItem.objects.none()
    return QueueItem.objects.filter(
        rep__in=reviewable_people(user).values("pk"),
    )


# -- coaching ----------------------------------------------------------------------------------


def sessions_visible_to(user) -> QuerySet[CoachingSession]:
    """Sessions with the people in scope and those the user coached; a rep: their own."""
    sessions = CoachingSession.objects.all()
    if _system(user):
        return sessions
    scope = access.scope_for(user)
    if scope.role == Role.REP:
        return sessions.filter(rep_id=scope.employee.pk)
    if scope.role not in REVIEWER_ROLES:
        return sessions.none()
    if scope.company_wide:
        return sessions
    own = scope.employee.pk
    return sessions.filter(Q(rep_id__in=scope.employee_ids - {own}) | Q(coach_id=own))


def access_session(user, pk) -> CoachingSession:
    try:
        return (
            sessions_visible_to(user)
            .select_related("coach", "rep__team", "customer", "created_by")
            .get(pk=pk)
        )
    except (CoachingSession.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_manage_session(user, session: CoachingSession) -> bool:
    """The coach, and whoever may coach the rep, add actions and close any of them."""
    if _system(user):
        return True
    own = _own_employee_id(user)
    if own is not None and session.coach_id == own:
        return True
    return reviewable_people(user).filter(pk=session.rep_id).exists()


def actions_visible_to(user) -> QuerySet[CoachingAction]:
    """Actions of the sessions the user sees, and those the user owns."""
    if _system(user):
        return CoachingAction.objects.all()
    if not can_see_coaching(user):
        return CoachingAction.objects.none()
    own = _own_employee_id(user)
    if access.user_role(user) == Role.REP:
        return CoachingAction.objects.filter(Q(session__rep_id=own) | Q(owner_id=own))
    owned = Q(owner_id=own) if own is not None else Q(pk__in=[])
    return CoachingAction.objects.filter(
        Q(session__in=sessions_visible_to(user).values("pk")) | owned
    )


def access_action(user, pk) -> CoachingAction:
    try:
        return (
            actions_visible_to(user)
            .select_related("session__rep", "session__coach", "owner")
            .get(pk=pk)
        )
    except (CoachingAction.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_close_action(user, action: CoachingAction) -> bool:
    """The owner marks an action done (or open again), and so do those who manage the
    session."""
    if _system(user):
        return True
    own = _own_employee_id(user)
    if own is not None and action.owner_id == own:
        return True
    return access.user_role(user) in REVIEWER_ROLES and may_manage_session(user, action.session)
