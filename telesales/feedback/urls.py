from django.urls import path

from telesales.feedback import views

urlpatterns = [
    path("tickets/", views.ticket_queue, name="ticket-queue"),
    path("tickets/new/", views.ticket_open, name="ticket-open"),
    path("tickets/sla/", views.sla_rules, name="ticket-sla"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket-detail"),
    path("tickets/<int:pk>/move/", views.ticket_move, name="ticket-move"),
    path("tickets/<int:pk>/comment/", views.ticket_comment, name="ticket-comment"),
    path("tickets/<int:pk>/assign/", views.ticket_assign, name="ticket-assign"),
    path("tickets/<int:pk>/route/", views.ticket_route, name="ticket-route"),
    path("surveys/", views.survey_list, name="survey-list"),
]
