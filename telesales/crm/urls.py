from django.urls import include, path

urlpatterns = [
    path("", include("telesales.crm.customers.urls")),
    path("", include("telesales.crm.allocation.urls")),
    path("", include("telesales.crm.scripts.urls")),
]
