"""Writes of call monitoring and coaching (source §2.1.2). Each is atomic, takes the acting
user (None or a label such as "demo": the system itself), checks their rights through
telesales.qa.access, and writes its audit row in the same transaction."""

from telesales.qa.services.coaching import (
    MOVES,
    coaching_action_add,
    coaching_action_transition,
    coaching_session_record,
)
from telesales.qa.services.queue import (
    QueueBuild,
    qa_queue_build,
    sample_order_key,
    week_code,
    week_start_of,
)
from telesales.qa.services.reviews import (
    ImportedReview,
    Mark,
    Verdict,
    review_acknowledge,
    review_discard,
    review_save,
    review_verdict,
    reviews_import_store,
    score_round,
)
from telesales.qa.services.scorecards import (
    CheckpointSpec,
    scorecard_create,
    scorecard_edit,
    scorecard_latest,
    scorecard_set_active,
    version_is_used,
)

__all__ = [
    "MOVES",
    "CheckpointSpec",
    "ImportedReview",
    "Mark",
    "QueueBuild",
    "Verdict",
    "coaching_action_add",
    "coaching_action_transition",
    "coaching_session_record",
    "qa_queue_build",
    "review_acknowledge",
    "review_discard",
    "review_save",
    "review_verdict",
    "reviews_import_store",
    "sample_order_key",
    "score_round",
    "scorecard_create",
    "scorecard_edit",
    "scorecard_latest",
    "scorecard_set_active",
    "version_is_used",
    "week_code",
    "week_start_of",
]
