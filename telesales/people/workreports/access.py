"""Who sees, writes and rates which work report (PRODUCT.md §2), decided here once for the
pages, the services and the command line.

- the author sees and writes their own reports, whatever their role today (a draft is theirs
  alone until submitted);
- everyone above the author on the manager line sees them, returns them for revision and
  rates their quality;
- HR and administrators see, return and rate every report;
- reps and department staff see none, and one supervisor never sees another's.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q, QuerySet
from django.http import Http404

from telesales.org import access
from telesales.org.models import Employee, Role
from telesales.people.workreports.models import WorkReport

LINE_ROLES = {Role.SUPERVISOR, Role.MANAGER}
INBOX_ROLES = {Role.MANAGER, Role.HR, Role.ADMIN}


def is_system(user) -> bool:
    """No login (None, or a label such as "demo"): the system itself, allowed everything."""
    return user is None or not getattr(user, "pk", None)


def below_on_manager_line(employee_id: int) -> frozenset[int]:
    """Everyone under this person on the manager line, at any depth (one query)."""
    children: dict[int, list[int]] = defaultdict(list)
    for pk, manager_id in Employee.objects.filter(manager__isnull=False).values_list(
        "pk", "manager_id"
    ):
        children[manager_id].append(pk)
    seen: set[int] = set()
    frontier = [employee_id]
    while frontier:
        for child in children.get(frontier.pop(), ()):
            if child not in seen and child != employee_id:
                seen.add(child)
                frontier.append(child)
    return frozenset(seen)


def _line_ids(user) -> frozenset[int] | None:
    """The authors whose reports the user may see: None for everyone (HR, administrators)."""
    cached = getattr(user, "_workreports_line", False)
    if cached is not False:
        return cached
    scope = access.scope_for(user)
    if scope.company_wide:
        line = None
    elif scope.role in LINE_ROLES:
        line = below_on_manager_line(scope.employee.pk) | {scope.employee.pk}
    else:
        line = frozenset()  # reps, staff, nobody: no report at all
    user._workreports_line = line
    return line


def reports_visible_to(user) -> QuerySet[WorkReport]:
    """The author's own reports, drafts included; others' once submitted at least once (a
    draft is the author's until they submit it)."""
    if is_system(user):
        return WorkReport.objects.all()
    line = _line_ids(user)
    own = access.user_employee(user)
    shared = Q(first_submitted_at__isnull=False)
    if line is not None:
        shared &= Q(author_id__in=line)
    if own is not None and access.user_role(user) is not None:
        shared |= Q(author_id=own.pk)  # whatever their role today
    return WorkReport.objects.filter(shared)


def authors_visible_to(user) -> frozenset[int] | None:
    """The people whose due lists the user may see (None: everyone), themselves included."""
    if is_system(user):
        return None
    return _line_ids(user)


def authors_rated_by(user) -> frozenset[int] | None:
    """The authors whose reports the user may return and rate (None: everyone): those under
    them on the manager line; HR and administrators rate all; nobody rates their own."""
    if is_system(user):
        return None
    line = _line_ids(user)
    own = access.user_employee(user)
    if line is None:
        return None
    return line - {own.pk} if own is not None else frozenset()


def access_report(user, pk) -> WorkReport:
    """The report with this id, if the user may see it; 404 otherwise."""
    try:
        return reports_visible_to(user).select_related("author", "rater").get(pk=pk)
    except (WorkReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_write(user, author: Employee) -> bool:
    """Only the author writes, edits and submits their report."""
    if is_system(user):
        return True
    own = access.user_employee(user)
    return access.user_role(user) is not None and own is not None and own.pk == author.pk


def may_rate(user, report: WorkReport) -> bool:
    """The superior (anyone above the author on the manager line), HR and administrators;
    never the author."""
    if is_system(user):
        return True
    if access.user_role(user) is None:
        return False
    raters = authors_rated_by(user)
    own = access.user_employee(user)
    if own is not None and own.pk == report.author_id:
        return False
    return raters is None or report.author_id in raters


def can_see_my_reports(user) -> bool:
    return access.user_role(user) == Role.SUPERVISOR


def can_see_inbox(user) -> bool:
    return access.user_role(user) in INBOX_ROLES
