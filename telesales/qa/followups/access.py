"""Who checks whom: the reps a user may check and the checks a user may see, edit or
acknowledge; `access_*` fetch by id within that scope (404 otherwise)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from telesales.org import access as org_access
from telesales.org.models import Employee, Role
from telesales.qa import access as qa_access
from telesales.qa.followups.rules import Status
from telesales.qa.models import FollowUpCheck
from telesales.qa.services.common import employee_of, user_of


def can_see_followups(user) -> bool:
    """Reviewers see the checks of the reps in their scope; a rep their own."""
    return org_access.user_role(user) in qa_access.REVIEWER_ROLES | {Role.REP}


def may_check(user) -> bool:
    return qa_access.is_reviewer(user)


def checkable_reps(user, *, on: dt.date | None = None) -> QuerySet[Employee]:
    """The reps whose records the user checks: the reps of the teams a supervisor leads, a
    manager's subtree, everyone for HR and administrators; reps who have left are not
    checked any more."""
    on = on or timezone.localdate()
    return (
        qa_access.reviewable_people(user)
        .filter(role=Role.REP)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=on))
    )


def access_rep_for_check(user, pk) -> Employee:
    """The rep with this id, if the user may check their records; 404 otherwise."""
    if not may_check(user):
        raise Http404
    try:
        return checkable_reps(user).select_related("team").get(pk=pk)
    except (Employee.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def checks_visible_to(user) -> QuerySet[FollowUpCheck]:
    """Submitted checks of the reps in scope and the user's own drafts; a rep: their own
    submitted checks; staff nothing."""
    checks = FollowUpCheck.objects.all()
    if user_of(user) is None:
        return checks
    scope = org_access.scope_for(user)
    if scope.role is None or scope.employee is None:
        return checks.none()
    submitted = Q(status=Status.SUBMITTED)
    if scope.role == Role.REP:
        return checks.filter(submitted, rep_id=scope.employee.pk)
    if scope.role not in qa_access.REVIEWER_ROLES:
        return checks.none()
    mine = Q(checker_id=scope.employee.pk)
    if scope.company_wide:
        return checks.filter(submitted | mine)
    in_scope = Q(rep_id__in=scope.employee_ids - {scope.employee.pk})
    return checks.filter((submitted & in_scope) | mine)


def access_check(user, pk) -> FollowUpCheck:
    """The check with this id, if the user may see it; 404 otherwise."""
    try:
        return checks_visible_to(user).select_related("rep__team", "checker").get(pk=pk)
    except (FollowUpCheck.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_edit_check(user, check: FollowUpCheck) -> bool:
    """A draft is finished (or thrown away) by its checker while the rep is still theirs."""
    if check.status != Status.DRAFT:
        return False
    if user_of(user) is None:
        return True
    own = employee_of(user)
    return (
        own is not None
        and check.checker_id == own.pk
        and checkable_reps(user).filter(pk=check.rep_id).exists()
    )


def may_acknowledge_check(user, check: FollowUpCheck) -> bool:
    """The rep acknowledges a submitted check of their records, once (the system acts for
    the rep only in the demo)."""
    open_check = check.status == Status.SUBMITTED and check.acknowledged_at is None
    if user_of(user) is None:
        return open_check
    own = employee_of(user)
    return open_check and own is not None and check.rep_id == own.pk
