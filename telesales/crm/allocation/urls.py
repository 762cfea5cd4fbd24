from django.urls import path

from telesales.crm.allocation import views

urlpatterns = [
    path("leads/", views.lead_pool, name="lead-pool"),
    path("leads/preview/", views.allocation_preview, name="lead-preview"),
    path("leads/confirm/", views.allocation_confirm, name="lead-confirm"),
    path("leads/reclaim/", views.lead_reclaim, name="lead-reclaim"),
    path("leads/recycle/", views.lead_recycle, name="lead-recycle"),
    path("leads/history/", views.run_history, name="lead-history"),
    path("leads/history/<int:pk>/", views.run_detail, name="lead-run"),
    path("leads/<int:pk>/reassign/", views.lead_reassign, name="lead-reassign"),
]
