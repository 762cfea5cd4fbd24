from django.urls import path

from telesales.reports import attrition, views

urlpatterns = [
    path("analysis/", views.analysis, name="analysis"),
    path("analysis/rows/<slug:kind>/", views.rows, name="analysis-rows"),
    path("analysis/funnel/", views.funnel, name="analysis-funnel"),
    path("analysis/comparison/", views.comparison, name="analysis-comparison"),
    path("attrition/", attrition.attrition_page, name="attrition-risk"),
]
