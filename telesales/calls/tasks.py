"""Background work of calls: the full roll-up rebuild after the threshold changes."""

from django.db import transaction
from django.tasks import task

from telesales.calls.rollups import rollup_rebuild


@task()
def rollup_rebuild_task() -> None:
    with transaction.atomic():
        rollup_rebuild()


def rollup_rebuild_enqueue() -> None:
    transaction.on_commit(rollup_rebuild_task.enqueue)
