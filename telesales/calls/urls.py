from django.urls import path

from telesales.calls import views

urlpatterns = [
    path("calls/", views.call_list, name="call-list"),
    path("calls/export.csv", views.call_export, name="call-export"),
    path("calls/stats/", views.stats_index, name="call-stats"),
    path("calls/stats/rep/<int:pk>/", views.stats_rep, name="call-stats-rep"),
    path("calls/stats/team/<int:pk>/", views.stats_team, name="call-stats-team"),
    path("calls/quality/", views.quality, name="call-quality"),
    path("calls/quality/map/", views.extension_map, name="call-extension-map"),
    path("calls/mappings/", views.mapping_list, name="call-mappings"),
    path("calls/mappings/new/", views.mapping_create, name="call-mapping-create"),
    path("calls/mappings/<int:pk>/", views.mapping_edit, name="call-mapping-edit"),
    path("calls/mappings/<int:pk>/delete/", views.mapping_delete, name="call-mapping-delete"),
]
