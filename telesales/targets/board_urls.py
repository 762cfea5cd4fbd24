from django.urls import path

from telesales.targets import board_views

urlpatterns = [
    path("targets/board/", board_views.board, name="target-board"),
    path("targets/mine/", board_views.mine, name="target-mine"),
    path("targets/employee/<int:pk>/", board_views.employee, name="target-employee"),
]
