from django.urls import path

from telesales.people.morale import views

urlpatterns = [
    path("morale/ledger/", views.ledger_list, name="morale-ledger"),
    path("morale/ledger/new/", views.ledger_new, name="morale-ledger-new"),
    path("morale/ledger/<int:pk>/reverse/", views.ledger_reverse, name="morale-ledger-reverse"),
    path("morale/wall/", views.wall, name="morale-wall"),
    path("morale/wall/<int:pk>/", views.wall_team, name="morale-wall-team"),
    path("morale/activities/", views.activity_list, name="morale-activities"),
    path("morale/activities/new/", views.activity_new, name="morale-activity-new"),
    path("morale/activities/<int:pk>/", views.activity_detail, name="morale-activity"),
    path("morale/activities/<int:pk>/edit/", views.activity_edit, name="morale-activity-edit"),
    path("morale/checkins/", views.checkin_overview, name="morale-checkins"),
    path("morale/checkins/new/", views.checkin_new, name="morale-checkin-new"),
    path("morale/checkins/<int:pk>/edit/", views.checkin_edit, name="morale-checkin-edit"),
    path("morale/people/<int:pk>/", views.person, name="morale-person"),
]
