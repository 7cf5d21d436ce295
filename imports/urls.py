"""Spreadsheet imports of grassroots unions and members, mounted at /import/."""

from django.urls import path, re_path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("confirm/", views.confirm, name="confirm"),
    re_path(r"^progress/(?P<token>[A-Za-z0-9_-]{32})/$", views.progress_status, name="progress"),
    re_path(
        r"^template/(?P<kind>federations|unions|members|quotas|reports|ratings|employers|clusters)\.(?P<fmt>csv|xlsx)$",
        views.template, name="template",
    ),
]
