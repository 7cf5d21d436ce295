from django.urls import path

from targets import views

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("rankings/", views.rankings, name="rankings"),
    path("rankings/export.<str:fmt>", views.rankings_export, name="rankings_export"),
    path("federations/<slug:code>/", views.federation_detail, name="federation_detail"),
]
