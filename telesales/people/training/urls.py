from django.urls import path

from telesales.people.training import views

urlpatterns = [
    path("training/", views.plan_list, name="training-plans"),
    path("training/plans/new/", views.plan_create, name="training-plan-new"),
    path("training/plans/<int:pk>/", views.plan_detail, name="training-plan"),
    path("training/onboarding/assign/", views.onboarding_assign, name="training-onboarding-assign"),
    path("training/sessions/", views.session_list, name="training-sessions"),
    path("training/sessions/<int:pk>/", views.session_detail, name="training-session"),
    path("training/sessions/<int:pk>/move/", views.session_move, name="training-session-move"),
    path(
        "training/sessions/<int:pk>/attendance/",
        views.session_attendance,
        name="training-session-attendance",
    ),
    path(
        "training/sessions/<int:pk>/scores/", views.session_scores, name="training-session-scores"
    ),
    path(
        "training/sessions/<int:pk>/invite/", views.session_invite, name="training-session-invite"
    ),
    path("training/results/", views.result_list, name="training-results"),
    path("training/templates/", views.template_edit, name="training-templates"),
    path("training/templates/new/", views.template_create, name="training-template-new"),
    path(
        "training/templates/<int:pk>/activate/",
        views.template_activate,
        name="training-template-activate",
    ),
    path("training/mine/", views.my_training, name="training-mine"),
    path("training/people/<int:pk>/", views.employee_training, name="training-employee"),
    path("training/team/", views.team_overview, name="training-team"),
]
