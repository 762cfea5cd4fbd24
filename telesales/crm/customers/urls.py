from django.urls import path

from telesales.crm.customers import views

urlpatterns = [
    path("today/", views.today, name="today"),
    path("customers/", views.customer_list, name="customer-list"),
    path("customers/new/", views.customer_create, name="customer-create"),
    path("customers/outcome/", views.call_outcome, name="call-outcome"),
    path("customers/tiers/", views.tier_overview, name="tiers"),
    path("customers/tiers/rules/", views.tier_rules, name="tier-rules"),
    path("customers/tiers/rules/<int:pk>/", views.tier_rule_edit, name="tier-rule-edit"),
    path("customers/tiers/rules/<int:pk>/delete/", views.tier_rule_delete, name="tier-rule-delete"),
    path("customers/tiers/rules/<int:pk>/move/", views.tier_rule_move, name="tier-rule-move"),
    path("customers/outcomes/", views.disposition_list, name="dispositions"),
    path("customers/outcomes/new/", views.disposition_create, name="disposition-create"),
    path("customers/outcomes/<int:pk>/", views.disposition_edit, name="disposition-edit"),
    path("customers/<int:pk>/", views.customer_detail, name="customer-detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer-edit"),
    path("customers/<int:pk>/outcome/", views.customer_outcome, name="customer-outcome"),
    path("customers/<int:pk>/merge/", views.customer_merge, name="customer-merge"),
]
