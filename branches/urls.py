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
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/new/", views.employer_create, name="employer_create"),
    path("employers/<slug:tax_code>/", views.employer_detail, name="employer_detail"),
    path("employers/<slug:tax_code>/edit/", views.employer_edit, name="employer_edit"),
]
