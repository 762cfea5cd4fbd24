from django.urls import path

from telesales.people.recruiting import views

urlpatterns = [
    path("recruiting/", views.opening_list, name="opening-list"),
    path("recruiting/openings/new/", views.opening_new, name="opening-new"),
    path("recruiting/openings/<int:pk>/", views.opening_detail, name="opening-detail"),
    path("recruiting/openings/<int:pk>/edit/", views.opening_edit, name="opening-edit"),
    path("recruiting/openings/<int:pk>/move/", views.opening_move, name="opening-move"),
    path(
        "recruiting/openings/<int:pk>/candidates/new/",
        views.candidate_new,
        name="candidate-new",
    ),
    path("recruiting/candidates/", views.candidate_list, name="candidate-list"),
    path("recruiting/candidates/<int:pk>/", views.candidate_detail, name="candidate-detail"),
    path("recruiting/candidates/<int:pk>/edit/", views.candidate_edit, name="candidate-edit"),
    path("recruiting/candidates/<int:pk>/move/", views.candidate_move, name="candidate-move"),
    path("recruiting/candidates/<int:pk>/rounds/", views.candidate_round, name="candidate-round"),
    path("recruiting/candidates/<int:pk>/offer/", views.candidate_offer, name="candidate-offer"),
    path(
        "recruiting/candidates/<int:pk>/decision/",
        views.candidate_decide,
        name="candidate-decide",
    ),
    path("recruiting/candidates/<int:pk>/hire/", views.candidate_hire, name="candidate-hire"),
    path("recruiting/rounds/<int:pk>/", views.round_scorecard, name="round-scorecard"),
    path("recruiting/interviews/", views.my_interviews, name="my-interviews"),
]
