from django.urls import path

from telesales.people.workreports import views

urlpatterns = [
    path("workreports/", views.my_reports, name="workreport-mine"),
    path("workreports/inbox/", views.inbox, name="workreport-inbox"),
    path("workreports/write/<str:kind>/<str:start>/", views.report_write, name="workreport-write"),
    path("workreports/<int:pk>/", views.report_detail, name="workreport-detail"),
    path("workreports/<int:pk>/submit/", views.report_submit, name="workreport-submit"),
    path("workreports/<int:pk>/return/", views.report_return, name="workreport-return"),
    path("workreports/<int:pk>/rate/", views.report_rate, name="workreport-rate"),
]
