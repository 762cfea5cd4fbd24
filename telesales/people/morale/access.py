"""Who sees and records what of motivation and team climate (PRODUCT.md §2), decided here once
for the pages, the services and the command line.

- a rep (or anyone) sees their own ledger entries and check-ins — of a check-in the score and
  the shared summary, never the private notes — and the recognition wall of their team;
- supervisors and managers see the people and teams in their scope (the teams they lead,
  and everyone below them on the manager line): that is the employee's *line*;
- HR sees everything; administrators see everything except the private notes of check-ins;
- private notes are read by the employee's line and HR only, never by the employee, a peer,
  another team's supervisor or an administrator.

Grants and check-ins: the line records them for the people in its scope (never for
themselves); HR and administrators also grant and keep team activities for everyone.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from telesales.org import access
from telesales.org.models import Employee, Role, Team
from telesales.people.morale.models import CheckIn, LedgerEntry, TeamActivity

LINE_ROLES = {Role.SUPERVISOR, Role.MANAGER}
NOTE_READERS_COMPANY_WIDE = {Role.HR}
GRANTERS_COMPANY_WIDE = {Role.HR, Role.ADMIN}


def _is_system(user) -> bool:
    return user is None or not getattr(user, "pk", None)


def _own(scope, employee_id: int) -> bool:
    return scope.employee is not None and scope.employee.pk == employee_id


def in_line(user, employee: Employee) -> bool:
    """The user is on the employee's line: a supervisor or manager with the employee in
    their scope, not the employee themselves."""
    scope = access.scope_for(user)
    return (
        scope.role in LINE_ROLES
        and employee.pk in scope.employee_ids
        and not _own(scope, employee.pk)
    )


# -- the ledger --------------------------------------------------------------------------------


def ledger_visible_to(user) -> QuerySet[LedgerEntry]:
    """Entries about the people in the user's scope (a rep: their own)."""
    scope = access.scope_for(user)
    if scope.role is None:
        return LedgerEntry.objects.none()
    return LedgerEntry.objects.filter(access.visible_q(user, "employee"))


def access_ledger_entry(user, pk) -> LedgerEntry:
    """The entry with this id, if the user may see it; 404 otherwise."""
    try:
        return (
            ledger_visible_to(user)
            .select_related("employee", "team", "granted_by", "reverses")
            .get(pk=pk)
        )
    except (LedgerEntry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see_ledger(user) -> bool:
    return access.user_role(user) is not None


def can_grant(user, employee: Employee) -> bool:
    """Whether the user may record (or reverse) an entry about this employee."""
    if _is_system(user):
        return True
    scope = access.scope_for(user)
    if scope.role is None or _own(scope, employee.pk):
        return False
    if scope.role in GRANTERS_COMPANY_WIDE:
        return True
    return in_line(user, employee)


def can_grant_any(user) -> bool:
    return access.user_role(user) in LINE_ROLES | GRANTERS_COMPANY_WIDE


def grantees_for(user) -> QuerySet[Employee]:
    """The people the user may record an entry about: employed today, in scope, not
    themselves."""
    from django.utils import timezone

    scope = access.scope_for(user)
    if not can_grant_any(user):
        return Employee.objects.none()
    people = access.employees_visible_to(user).employed_on(timezone.localdate())
    if scope.employee is not None:
        people = people.exclude(pk=scope.employee.pk)
    return people.exclude(role=Role.ADMIN).order_by("employee_no")


# -- the recognition wall ----------------------------------------------------------------------


def wall_teams_for(user) -> QuerySet[Team]:
    """The teams whose recognition wall the user sees: the teams in their scope and their
    own team."""
    scope = access.scope_for(user)
    if scope.role is None:
        return Team.objects.none()
    own = (
        Q(pk=scope.employee.team_id)
        if scope.employee is not None and scope.employee.team_id
        else Q(pk__in=[])
    )
    if scope.company_wide:
        return Team.objects.all()
    return Team.objects.filter(Q(pk__in=scope.team_ids) | own)


def access_wall_team(user, pk) -> Team:
    try:
        return wall_teams_for(user).select_related("supervisor").get(pk=pk)
    except (Team.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see_wall(user) -> bool:
    """Without a query beyond the user's scope: the menu asks on every page."""
    scope = access.scope_for(user)
    if scope.role is None:
        return False
    own_team = scope.employee is not None and scope.employee.team_id is not None
    return scope.company_wide or bool(scope.team_ids) or own_team


# -- team activities ---------------------------------------------------------------------------


def activity_teams_for(user) -> QuerySet[Team]:
    """The teams whose activities the user sees and keeps: the line's teams; every team for
    HR and administrators."""
    scope = access.scope_for(user)
    if scope.company_wide:
        return Team.objects.all()
    if scope.role in LINE_ROLES:
        return Team.objects.filter(pk__in=scope.team_ids)
    return Team.objects.none()


def activities_visible_to(user) -> QuerySet[TeamActivity]:
    scope = access.scope_for(user)
    if scope.company_wide:
        return TeamActivity.objects.all()
    if scope.role in LINE_ROLES:
        return TeamActivity.objects.filter(team_id__in=scope.team_ids)
    return TeamActivity.objects.none()


def access_activity(user, pk) -> TeamActivity:
    try:
        return activities_visible_to(user).select_related("team", "created_by").get(pk=pk)
    except (TeamActivity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see_activities(user) -> bool:
    return access.user_role(user) in LINE_ROLES | GRANTERS_COMPANY_WIDE


def can_keep_activity(user, team: Team) -> bool:
    if _is_system(user):
        return True
    return activity_teams_for(user).filter(pk=team.pk).exists()


# -- check-ins ---------------------------------------------------------------------------------


def checkins_visible_to(user) -> QuerySet[CheckIn]:
    """Check-ins of the people in the user's scope (a rep: their own). What of each one the
    user reads is decided by may_read_notes."""
    scope = access.scope_for(user)
    if scope.role is None:
        return CheckIn.objects.none()
    return CheckIn.objects.filter(access.visible_q(user, "employee"))


def access_checkin(user, pk) -> CheckIn:
    try:
        return (
            checkins_visible_to(user)
            .select_related("employee", "employee__team", "team", "held_by")
            .get(pk=pk)
        )
    except (CheckIn.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_read_notes(user, employee: Employee) -> bool:
    """Private notes are for the employee's line and HR: not for the employee, a peer,
    another line or an administrator."""
    scope = access.scope_for(user)
    if scope.role in NOTE_READERS_COMPANY_WIDE:
        return not _own(scope, employee.pk)
    return in_line(user, employee)


def can_hold_checkin(user, employee: Employee) -> bool:
    """Check-ins are held by the employee's supervisor or someone above on their line."""
    if _is_system(user):
        return True
    return in_line(user, employee)


def can_hold_checkins(user) -> bool:
    return access.user_role(user) in LINE_ROLES


def checkin_people_for(user) -> QuerySet[Employee]:
    """The people the user may hold a check-in with: employed today, in their line."""
    from django.utils import timezone

    scope = access.scope_for(user)
    if scope.role not in LINE_ROLES:
        return Employee.objects.none()
    return (
        Employee.objects.filter(pk__in=scope.employee_ids)
        .exclude(pk=scope.employee.pk)
        .employed_on(timezone.localdate())
        .order_by("employee_no")
    )


def can_see_checkins(user) -> bool:
    return access.user_role(user) is not None


def can_edit_checkin(user, checkin: CheckIn) -> bool:
    """The one who held it may correct it while the employee is still on their line."""
    scope = access.scope_for(user)
    return (
        scope.employee is not None
        and checkin.held_by_id == scope.employee.pk
        and in_line(user, checkin.employee)
    )


# -- the attrition-risk page (telesales.reports.attrition) -------------------------------------

RISK_READERS = LINE_ROLES | NOTE_READERS_COMPANY_WIDE


def can_see_attrition(user) -> bool:
    """The risk of a rep is for their line and HR: not for reps, staff or administrators."""
    return access.user_role(user) in RISK_READERS
