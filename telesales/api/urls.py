from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from telesales.api import views

urlpatterns = [
    path("kpis/", views.kpis, name="api-kpis"),
    path("appraisals/", views.appraisals, name="api-appraisals"),
    path("appraisals/<int:pk>/", views.appraisal, name="api-appraisal"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
