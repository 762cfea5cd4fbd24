"""Who reads and who writes call scripts (PRODUCT.md §2, source §2.3.1), decided here once
for the pages, the services and the command line.

- supervisors, managers, HR and administrators edit the library: new scripts, new versions,
  publishing and retiring; they read every version, drafts included;
- reps read the published versions of active scripts, and compare versions over their own
  outcomes only;
- the comparison of a supervisor counts the outcomes of the people in their teams, of a
  manager those of the teams below them, of HR and administrators everyone's;
- staff of other departments do not see scripts.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from telesales.crm.models import Script, ScriptVersion
from telesales.org import access
from telesales.org.models import Role

EDITORS = {Role.SUPERVISOR, Role.MANAGER, Role.HR, Role.ADMIN}
READERS = EDITORS | {Role.REP}


def _system(user) -> bool:
    """No user: the system itself (the demo, a data migration)."""
    return user is None or not getattr(user, "pk", None)


def can_see_scripts(user) -> bool:
    return access.user_role(user) in READERS


def can_edit_scripts(user) -> bool:
    return _system(user) or access.user_role(user) in EDITORS


def scripts_visible_to(user) -> QuerySet[Script]:
    """Editors see every script; reps the active scripts with a published version."""
    role = access.user_role(user)
    if role in EDITORS:
        return Script.objects.all()
    if role == Role.REP:
        published = ScriptVersion.objects.filter(status=ScriptVersion.Status.PUBLISHED)
        return Script.objects.filter(is_active=True, pk__in=published.values("script_id"))
    return Script.objects.none()


def versions_visible_to(user) -> QuerySet[ScriptVersion]:
    """Editors see every version; reps the published versions of active scripts."""
    role = access.user_role(user)
    if role in EDITORS:
        return ScriptVersion.objects.all()
    if role == Role.REP:
        return ScriptVersion.objects.filter(
            status=ScriptVersion.Status.PUBLISHED, script__is_active=True
        )
    return ScriptVersion.objects.none()


def access_script(user, pk) -> Script:
    """The script with this id, if the user may see it; 404 otherwise."""
    try:
        return scripts_visible_to(user).select_related("product").get(pk=pk)
    except (Script.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_version(user, pk) -> ScriptVersion:
    """The version with this id, if the user may see it; 404 otherwise."""
    try:
        return (
            versions_visible_to(user).select_related("script", "author", "published_by").get(pk=pk)
        )
    except (ScriptVersion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def outcomes_counted_q(user) -> Q | None:
    """Whose outcomes a user's comparison counts, as a filter on outcomes: a rep's own, the
    people in a supervisor's or manager's scope, everyone's for HR and administrators. None
    when the user may not compare at all."""
    scope = access.scope_for(user)
    if scope.role not in READERS:
        return None
    if scope.company_wide:
        return Q()
    if scope.role == Role.REP:
        return Q(employee_id=scope.employee.pk)
    return Q(employee_id__in=scope.employee_ids)
