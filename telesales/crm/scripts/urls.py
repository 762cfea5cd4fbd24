from django.urls import path

from telesales.crm.scripts import views

urlpatterns = [
    path("scripts/", views.script_library, name="script-library"),
    path("scripts/new/", views.script_create, name="script-create"),
    path("scripts/<int:pk>/", views.script_detail, name="script-detail"),
    path("scripts/<int:pk>/edit/", views.script_edit, name="script-edit"),
    path("scripts/<int:pk>/versions/new/", views.version_create, name="script-version-create"),
    path("scripts/<int:pk>/diff/", views.script_diff, name="script-diff"),
    path("scripts/<int:pk>/compare/", views.script_compare, name="script-compare"),
    path("scripts/versions/<int:pk>/edit/", views.version_edit, name="script-version-edit"),
    path("scripts/versions/<int:pk>/move/", views.version_move, name="script-version-move"),
]
