from django.urls import path

from telesales.targets import views

urlpatterns = [
    path("targets/", views.target_list, name="target-list"),
    path("targets/new/", views.target_new, name="target-new"),
    path("targets/<int:pk>/", views.target_detail, name="target-detail"),
    path("targets/<int:pk>/split/", views.target_split, name="target-split"),
    path("targets/agreements/", views.agreement_list, name="agreement-list"),
    path("targets/agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("targets/calendar/", views.target_calendar, name="target-calendar"),
]
