"""Top-level URLs: the product's apps, sign-in, language switch, Django admin and the health check."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from unionboard.forms import AdminLoginForm, LoginForm
from unionboard.views import healthz

urlpatterns = [
    path("", include("targets.urls")),
    path("", include("branches.urls")),
    path("", include("members.urls")),
    path("import/", include("imports.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

admin.site.site_header = "Unionboard"
admin.site.login_form = AdminLoginForm
admin.site.site_title = "Unionboard"
