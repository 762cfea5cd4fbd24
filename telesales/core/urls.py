from django.urls import path

from telesales.core import views

urlpatterns = [
    path("language/", views.language_set, name="language-set"),
    path("settings/", views.settings_page, name="settings"),
    path("imports/", views.imports_index, name="imports"),
    path("imports/run/<int:pk>/", views.import_run_detail, name="import-run"),
    path("imports/run/<int:pk>/confirm/", views.import_run_confirm, name="import-run-confirm"),
    path(
        "imports/run/<int:pk>/rejected.csv", views.import_run_rejected, name="import-run-rejected"
    ),
    path("imports/<slug:kind>/", views.import_upload, name="import-upload"),
    path("imports/<slug:kind>/template.<str:fmt>", views.import_template, name="import-template"),
]
