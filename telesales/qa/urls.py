from django.urls import path

from telesales.qa import followup_views, views

urlpatterns = [
    path("qa/reviews/", views.review_list, name="qa-review-list"),
    path("qa/reviews/<int:pk>/", views.review_detail, name="qa-review-detail"),
    path(
        "qa/reviews/<int:pk>/acknowledge/", views.review_acknowledge, name="qa-review-acknowledge"
    ),
    path("qa/reviews/<int:pk>/discard/", views.review_discard, name="qa-review-discard"),
    path("qa/reviews/<int:pk>/calibrate/", views.review_calibrate, name="qa-review-calibrate"),
    path("qa/calls/find/", views.call_find, name="qa-call-find"),
    path("qa/calls/<int:pk>/review/", views.review_call, name="qa-review-call"),
    path("qa/queue/", views.queue, name="qa-queue"),
    path("qa/queue/build/", views.queue_build, name="qa-queue-build"),
    path("qa/calibration/", views.calibration_list, name="qa-calibration-list"),
    path("qa/calibration/<int:pk>/", views.calibration_detail, name="qa-calibration-detail"),
    path("qa/scorecards/", views.scorecard_list, name="qa-scorecard-list"),
    path("qa/scorecards/new/", views.scorecard_create, name="qa-scorecard-create"),
    path("qa/scorecards/<int:pk>/", views.scorecard_detail, name="qa-scorecard-detail"),
    path("qa/scorecards/<int:pk>/edit/", views.scorecard_edit, name="qa-scorecard-edit"),
    path("qa/scorecards/<int:pk>/active/", views.scorecard_active, name="qa-scorecard-active"),
    path("qa/coaching/", views.coaching_list, name="qa-coaching-list"),
    path("qa/coaching/new/", views.coaching_new, name="qa-coaching-new"),
    path("qa/coaching/<int:pk>/", views.coaching_detail, name="qa-coaching-detail"),
    path("qa/coaching/<int:pk>/actions/", views.action_add, name="qa-action-add"),
    path("qa/actions/", views.action_list, name="qa-action-list"),
    path("qa/actions/<int:pk>/move/", views.action_move, name="qa-action-move"),
    path("qa/followups/", followup_views.overview, name="qa-followup-overview"),
    path("qa/followups/checks/", followup_views.check_list, name="qa-followup-list"),
    path("qa/followups/new/", followup_views.check_new, name="qa-followup-new"),
    path(
        "qa/followups/new/checklist/",
        followup_views.check_checklist,
        name="qa-followup-checklist",
    ),
    path("qa/followups/<int:pk>/", followup_views.check_detail, name="qa-followup-detail"),
    path("qa/followups/<int:pk>/edit/", followup_views.check_edit, name="qa-followup-edit"),
    path(
        "qa/followups/<int:pk>/acknowledge/",
        followup_views.check_acknowledge,
        name="qa-followup-acknowledge",
    ),
    path(
        "qa/followups/<int:pk>/discard/",
        followup_views.check_discard,
        name="qa-followup-discard",
    ),
]
