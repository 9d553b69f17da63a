from django.urls import path

from . import views

app_name = "recommendations"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("recommendations/", views.recommendation_list, name="list"),
    path("recommendations/<str:code>/", views.recommendation_detail, name="detail"),
    path("follow-ups/", views.follow_up_list, name="follow_ups"),
    path("themes/", views.theme_list, name="themes"),
    path("delegations/<str:code>/", views.delegation_detail, name="delegation"),
]
