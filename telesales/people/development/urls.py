from django.urls import path

from telesales.people.development import views

urlpatterns = [
    path("development/", views.my_development, name="development-mine"),
    path("development/team/", views.team_list, name="development-team"),
    path("development/people/<int:pk>/", views.person_development, name="development-person"),
    path("development/plans/new/", views.plan_new, name="development-plan-new"),
    path("development/plans/<int:pk>/", views.plan_detail, name="development-plan"),
    path("development/plans/<int:pk>/edit/", views.plan_edit, name="development-plan-edit"),
    path("development/plans/<int:pk>/move/", views.plan_move, name="development-plan-move"),
    path(
        "development/plans/<int:pk>/comment/", views.plan_comment, name="development-plan-comment"
    ),
    path("development/plans/<int:pk>/goals/", views.goal_new, name="development-goal-new"),
    path("development/goals/<int:pk>/edit/", views.goal_edit, name="development-goal-edit"),
    path(
        "development/goals/<int:pk>/progress/",
        views.goal_progress,
        name="development-goal-progress",
    ),
    path("development/mentors/", views.mentor_list, name="development-mentors"),
    path("development/mentors/<int:pk>/end/", views.mentor_end, name="development-mentor-end"),
    path("development/rotations/", views.rotation_list, name="development-rotations"),
    path(
        "development/rotations/<int:pk>/edit/",
        views.rotation_edit,
        name="development-rotation-edit",
    ),
    path("development/bench/", views.bench, name="development-bench"),
    path("development/bench/new/", views.nomination_new, name="development-nomination-new"),
    path("development/bench/<int:pk>/", views.nomination_detail, name="development-nomination"),
    path(
        "development/bench/<int:pk>/withdraw/",
        views.nomination_withdraw,
        name="development-nomination-withdraw",
    ),
]
