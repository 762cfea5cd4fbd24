"""Demo allocation: each rep gets a capacity, part of the unowned pool goes to each team's
reps by a different method for each team, through the real services, and one team's
allocation is dated ten days back with half of it left unworked, so that a reclaim run has
leads to take back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from django.utils.translation import gettext as _

from telesales.core.demo import DemoContext

SHARE = 0.6  # of the pool allocated; the rest stays for the supervisors to allocate
BACKDATED_DAYS = 10
RECLAIM_DAYS = 7
DAILY_CAPS = (20, 25, 30, 30, 40)
# The demo's reps own every customer they called in 120 days: room for new leads on top.
MAX_OPEN = 1500


def demo_allocation(context: DemoContext) -> str:
    from telesales.crm.allocation import selectors, services
    from telesales.crm.models import (
        AllocationItem,
        AllocationRun,
        Customer,
        CustomerEvent,
        RepCapacity,
    )
    from telesales.org.models import Employee, Role, Team

    today = context.today
    rng = random.Random(context.seed * 31 + 35)
    pool = list(selectors.lead_pool())
    teams = list(
        Team.objects.filter(is_active=True, supervisor__user__isnull=False)
        .select_related("supervisor__user")
        .order_by("code")
    )
    if not pool or not teams:
        return ""
    reps_of = {
        team.pk: list(
            Employee.objects.employed_on(today).filter(team=team, role=Role.REP).order_by("pk")
        )
        for team in teams
    }
    has_capacity = set(RepCapacity.objects.values_list("employee_id", flat=True))
    RepCapacity.objects.bulk_create(
        RepCapacity(employee=rep, daily_cap=rng.choice(DAILY_CAPS), max_open=MAX_OPEN)
        for reps in reps_of.values()
        for rep in reps
        if rep.pk not in has_capacity
    )

    methods = list(services.ALLOCATION_METHODS)
    chunk = int(len(pool) * SHARE) // len(teams)
    runs = []
    for index, team in enumerate(teams):
        leads = pool[index * chunk : (index + 1) * chunk]
        if not reps_of[team.pk] or not leads:
            continue
        actor = team.supervisor.user
        plan = services.allocation_plan(
            actor=actor,
            customers=leads,
            reps=reps_of[team.pk],
            method=methods[index % len(methods)],
            today=today,
        )
        runs.append((actor, services.allocation_execute(actor=actor, plan=plan)))
    if not runs:
        return ""

    # Half of the first team's leads were handed out ten days ago and nobody called them
    # since; the supervisor previews the reclaim and confirms it for those leads.
    actor, first = runs[0]
    earlier = first.created_at - dt.timedelta(days=BACKDATED_DAYS)
    AllocationRun.objects.filter(pk=first.pk).update(created_at=earlier)
    ids = list(
        AllocationItem.objects.filter(run=first)
        .order_by("id")
        .values_list("customer_id", flat=True)
    )[::2]
    Customer.objects.filter(pk__in=ids, owner__isnull=False).update(owned_since=earlier)
    CustomerEvent.objects.filter(customer_id__in=ids, detail__run=first.pk).update(at=earlier)
    plan = services.reclaim_plan(actor=actor, days=RECLAIM_DAYS, today=today)
    chosen = set(ids)
    plan = dataclasses.replace(plan, items=tuple(i for i in plan.items if i.customer_id in chosen))
    reclaim = services.reclaim_execute(actor=actor, plan=plan)
    return _(
        "Allocated %(allocated)s of %(pool)s pool leads to %(teams)s teams; "
        "reclaimed %(reclaimed)s untouched leads."
    ) % {
        "allocated": sum(run.count for _actor, run in runs),
        "pool": len(pool),
        "teams": len(runs),
        "reclaimed": reclaim.count,
    }
