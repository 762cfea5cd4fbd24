from django.urls import path

from telesales.org import views

urlpatterns = [
    path("", views.home, name="home"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/<int:pk>/", views.team_detail, name="team-detail"),
    path("people/", views.employee_list, name="employee-list"),
    path("people/export.csv", views.employee_export, name="employee-export"),
    path("people/<int:pk>/", views.employee_detail, name="employee-detail"),
    path("people/<int:pk>/leave/", views.absence_add, name="employee-absence"),
]
