"""Personas and shared fixtures: an officer of A, an officer of B, city staff, an admin."""

import pytest
from django.core.cache import cache

from branches.models import FederationKind
from tests.factories import FederationFactory, make_user
from unionboard import roles


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached page content (unionboard.pagecache)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fed_a(db):
    return FederationFactory(code="fed-a", name="LĐLĐ quận Ánh Dương", kind=FederationKind.URBAN_DISTRICT)


@pytest.fixture
def fed_b(db):
    return FederationFactory(code="fed-b", name="LĐLĐ huyện Bình Minh", kind=FederationKind.RURAL_DISTRICT)


@pytest.fixture
def officer_a(fed_a):
    return make_user("officer_a", group=roles.OFFICER_GROUP, federations=[fed_a])


@pytest.fixture
def officer_b(fed_b):
    return make_user("officer_b", group=roles.OFFICER_GROUP, federations=[fed_b])


@pytest.fixture
def city_staff(db):
    return make_user("city_staff", group=roles.CITY_STAFF_GROUP)


@pytest.fixture
def admin_user(db):
    return make_user(
        "admin", group=roles.ADMIN_GROUP, is_staff=True, is_superuser=True
    )


@pytest.fixture
def client_for(client):
    """Log a persona in: client_for(user) returns the logged-in test client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
