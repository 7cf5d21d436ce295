from django.urls import path, re_path

from branches import views

app_name = "branches"
urlpatterns = [
    path("unions/", views.UnionListView.as_view(), name="union_list"),
    path("unions/new/", views.union_create, name="union_create"),
    re_path(r"^unions/export\.(?P<fmt>csv|xlsx)$", views.union_export, name="union_export"),
    path("unions/<slug:code>/", views.union_detail, name="union_detail"),
    path("unions/<slug:code>/edit/", views.union_edit, name="union_edit"),
    path("unions/<slug:code>/status/<slug:event>/", views.union_event, name="union_event"),
]
