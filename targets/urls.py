from django.urls import path

from targets import views

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("rankings/", views.RankingsView.as_view(), name="rankings"),
    path("rankings/export.<str:fmt>", views.rankings_export, name="rankings_export"),
    path("clusters/<int:pk>/", views.ClusterDetailView.as_view(), name="cluster_detail"),
    path("federations/<slug:code>/", views.FederationDetailView.as_view(), name="federation_detail"),
    path("federations/<slug:code>/reports/", views.report_entry, name="report_entry"),
    path("federations/<slug:code>/ratings/", views.ratings_entry, name="ratings_entry"),
]
