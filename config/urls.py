from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("", include("telesales.core.urls")),
    path("", include("telesales.org.urls")),
    path("", include("telesales.crm.urls")),
    path("", include("telesales.feedback.urls")),
    path("", include("telesales.calls.urls")),
    path("", include("telesales.sales.urls")),
    path("", include("telesales.qa.urls")),
    path("", include("telesales.people.training.urls")),
    path("", include("telesales.people.development.urls")),
    path("", include("telesales.people.recruiting.urls")),
    path("", include("telesales.people.morale.urls")),
    path("", include("telesales.people.workreports.urls")),
    path("", include("telesales.targets.urls")),
    path("", include("telesales.targets.board_urls")),
    path("", include("telesales.reports.urls")),
    path("appraisal/", include("telesales.appraisal.urls")),
    path("api/", include("telesales.api.urls")),
]
