"""Who sees and does what in recruiting (PRODUCT.md §2), decided here once for the pages and
the services.

- HR and administrators see and manage every opening and candidate;
- supervisors and managers see the openings of the teams in their scope and those openings'
  candidates (phones masked), propose openings for those teams, and fill the scorecards of
  the rounds they are assigned;
- anyone assigned as an interviewer sees that candidate's page, read-only, and their own
  round; reps and staff see nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from telesales.org import access
from telesales.org.models import Role, Team
from telesales.people.recruiting.models import Candidate, InterviewRound, Opening

MANAGERS = {Role.HR, Role.ADMIN}
TEAM_VIEWERS = {Role.SUPERVISOR, Role.MANAGER}


def _is_system(user) -> bool:
    """None or a label such as "demo": the system itself, which may do everything."""
    return user is None or not getattr(user, "pk", None)


def can_manage(user) -> bool:
    """HR and administrators run the pipeline: candidates, rounds, offers and hires."""
    return _is_system(user) or access.user_role(user) in MANAGERS


def can_see_recruiting(user) -> bool:
    """The openings and candidate lists: HR, administrators, supervisors and managers."""
    return access.user_role(user) in MANAGERS | TEAM_VIEWERS


def can_propose_openings(user) -> bool:
    return _is_system(user) or access.user_role(user) in MANAGERS | TEAM_VIEWERS


def teams_for_openings(user) -> QuerySet[Team]:
    """The teams the user may open a position for: every team for HR and administrators,
    the teams in scope for supervisors and managers."""
    if _is_system(user):
        return Team.objects.all()
    if not can_propose_openings(user):
        return Team.objects.none()
    return access.teams_visible_to(user)


def openings_visible_to(user) -> QuerySet[Opening]:
    if _is_system(user):
        return Opening.objects.all()
    scope = access.scope_for(user)
    if scope.role in MANAGERS:
        return Opening.objects.all()
    if scope.role in TEAM_VIEWERS:
        return Opening.objects.filter(team_id__in=scope.team_ids)
    return Opening.objects.none()


def access_opening(user, pk) -> Opening:
    """The opening with this id, if the user may see it; 404 otherwise."""
    try:
        return (
            openings_visible_to(user)
            .select_related("team", "team__supervisor", "hiring_manager", "owner", "created_by")
            .get(pk=pk)
        )
    except (Opening.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def candidates_in_scope(user) -> QuerySet[Candidate]:
    """The candidates of the openings the user sees (the candidate list)."""
    if _is_system(user):
        return Candidate.objects.all()
    scope = access.scope_for(user)
    if scope.role in MANAGERS:
        return Candidate.objects.all()
    if scope.role in TEAM_VIEWERS:
        return Candidate.objects.filter(opening__team_id__in=scope.team_ids)
    return Candidate.objects.none()


def candidates_visible_to(user) -> QuerySet[Candidate]:
    """Those in scope, and those the user interviews."""
    if _is_system(user):
        return Candidate.objects.all()
    scope = access.scope_for(user)
    if scope.role is None:
        return Candidate.objects.none()
    if scope.role in MANAGERS:
        return Candidate.objects.all()
    interviewed = Q(
        pk__in=InterviewRound.objects.filter(interviewer=scope.employee).values("candidate_id")
    )
    if scope.role in TEAM_VIEWERS:
        return Candidate.objects.filter(Q(opening__team_id__in=scope.team_ids) | interviewed)
    return Candidate.objects.filter(interviewed)


def access_candidate(user, pk) -> Candidate:
    """The candidate with this id, if the user may see them; 404 otherwise."""
    try:
        return (
            candidates_visible_to(user)
            .select_related("opening", "opening__team", "opening__team__supervisor", "employee")
            .get(pk=pk)
        )
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class CandidateRights:
    """What a user may do on a candidate they can see."""

    manage: bool = False  # stage moves, rounds, offer, decision, hire, edits
    see_all_rounds: bool = False  # every round's scorecard, not only their own
    full_phone: bool = False  # the phone and email unmasked


def candidate_rights(user, candidate: Candidate) -> CandidateRights:
    """The user's rights on a candidate, assumed visible to them (see candidates_visible_to)."""
    if _is_system(user):
        return CandidateRights(True, True, True)
    scope = access.scope_for(user)
    if scope.role in MANAGERS:
        return CandidateRights(True, True, True)
    if scope.role in TEAM_VIEWERS and candidate.opening.team_id in scope.team_ids:
        return CandidateRights(see_all_rounds=True)
    return CandidateRights()


def access_round(user, pk) -> InterviewRound:
    """The round with this id, if the user sees all of its candidate's rounds or holds the
    round themselves; 404 otherwise."""
    try:
        interview = InterviewRound.objects.select_related(
            "candidate", "candidate__opening", "candidate__opening__team", "interviewer"
        ).get(pk=pk)
    except (InterviewRound.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if round_may_see(user, interview):
        return interview
    raise Http404


def round_may_see(user, interview: InterviewRound) -> bool:
    if _is_system(user):
        return True
    employee = access.scope_for(user).employee
    if employee is not None and interview.interviewer_id == employee.pk:
        return access.user_role(user) is not None
    if not candidates_in_scope(user).filter(pk=interview.candidate_id).exists():
        return False
    return candidate_rights(user, interview.candidate).see_all_rounds


def can_score(user, interview: InterviewRound) -> bool:
    """Only the assigned interviewer, HR or an administrator fills a round's scorecard."""
    if can_manage(user):
        return True
    if access.user_role(user) is None:
        return False
    employee = access.scope_for(user).employee
    return employee is not None and interview.interviewer_id == employee.pk


def is_interviewer(user) -> bool:
    """Someone with at least one interview round assigned (remembered for the request)."""
    cached = getattr(user, "_recruiting_interviewer", None)
    if cached is not None:
        return cached
    employee = access.scope_for(user).employee
    found = employee is not None and InterviewRound.objects.filter(interviewer=employee).exists()
    if getattr(user, "is_authenticated", False):
        user._recruiting_interviewer = found
    return found


def can_see_my_interviews(user) -> bool:
    """The "My interviews" menu entry: supervisors and above always; reps and staff once they
    have been asked to interview someone."""
    role = access.user_role(user)
    if role is None:
        return False
    if role in MANAGERS | TEAM_VIEWERS:
        return True
    return is_interviewer(user)
