from django.urls import path

from telesales.sales import views

urlpatterns = [
    path("deals/", views.deal_list, name="deal-list"),
    path("deals/new/", views.deal_create_view, name="deal-create"),
    path("deals/<int:pk>/", views.deal_detail, name="deal-detail"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="deal-edit"),
]
