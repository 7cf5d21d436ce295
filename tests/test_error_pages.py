"""With DEBUG off, 403, 404 and 500 answer with the product's own pages, never a traceback."""

import pytest
from django.test import override_settings
from django.urls import path, reverse

from tests.factories import make_user
from unionboard.urls import urlpatterns as product_urlpatterns

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("a deliberate failure for the 500 page test")


# This module doubles as the test-only urlconf: the product, plus one view that fails.
urlpatterns = [path("test-only/broken/", broken_view), *product_urlpatterns]


def template_names(response) -> list[str]:
    return [template.name for template in response.templates]


@override_settings(DEBUG=False)
def test_unknown_federation_shows_the_404_page(client_for, officer_a):
    response = client_for(officer_a).get(reverse("federation_detail", args=["no-such-federation"]))
    assert response.status_code == 404
    assert "404.html" in template_names(response)
    html = response.content.decode()
    assert "Traceback" not in html
    assert f'href="{reverse("home")}"' in html
    assert 'class="navbar-brand' in html  # the product's layout, not a bare error


@override_settings(DEBUG=False)
def test_other_federation_shows_the_404_page(client_for, officer_a, fed_b):
    response = client_for(officer_a).get(reverse("federation_detail", args=[fed_b.code]))
    assert response.status_code == 404
    assert "404.html" in template_names(response)
    assert fed_b.name not in response.content.decode()


@override_settings(DEBUG=False)
def test_user_without_role_sees_the_403_page(client_for, db):
    nobody = make_user("nobody")
    client = client_for(nobody)
    client.cookies["unionboard_language"] = "en"
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "403.html" in template_names(response)
    html = response.content.decode()
    # the reason given by the view is shown, with a way out
    assert "Your account has no role yet: ask an administrator." in html
    assert f'action="{reverse("logout")}"' in html


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_server_error_shows_the_500_page(client_for, officer_a):
    client = client_for(officer_a)
    client.raise_request_exception = False
    response = client.get("/test-only/broken/")
    assert response.status_code == 500
    assert template_names(response) == ["500.html"]
    html = response.content.decode()
    assert "deliberate failure" not in html and "Traceback" not in html
    assert 'href="/"' in html
    assert "/static/css/unionboard.css" in html



@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_a_server_error_is_logged_with_its_traceback(client_for, officer_a, caplog):
    client = client_for(officer_a)
    client.raise_request_exception = False
    with caplog.at_level("ERROR", logger="django.request"):
        assert client.get("/test-only/broken/").status_code == 500
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.exc_info and "deliberate failure" in str(record.exc_info[1])
