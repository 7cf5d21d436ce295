from django.urls import path, re_path

from members import views

app_name = "members"
urlpatterns = [
    path("members/", views.MemberListView.as_view(), name="member_list"),
    path("members/new/", views.member_create, name="member_create"),
    re_path(r"^members/export\.(?P<fmt>csv|xlsx)$", views.member_export, name="member_export"),
    path("members/<str:card_no>/", views.member_detail, name="member_detail"),
    path("members/<str:card_no>/edit/", views.member_edit, name="member_edit"),
    path("members/<str:card_no>/leave/", views.member_leave, name="member_leave"),
    path("members/<str:card_no>/transfer/", views.member_transfer, name="member_transfer"),
    path("unions/<slug:code>/transfers-out/", views.union_transfers_out, name="union_transfers_out"),
]
