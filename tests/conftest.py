"""Personas and shared fixtures: an officer of A, an officer of B, city staff, an admin."""

import os

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, Phase, settings

from branches.models import FederationKind
from tests.factories import FederationFactory, make_user
from unionboard import roles

# Property tests (tests/test_properties.py). The default profile is what `make test` and CI
# run: a fixed, modest set of examples (derandomized, so a run is the same each time and
# needs no example database). `--hypothesis-profile=deep` searches far more cities, with a
# fresh random seed each run; `mutation` is the smallest, for each mutant of `make mutate`.
# No deadline: a city goes through the import and the pages, whose time varies with the load.
_PROFILE = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}
settings.register_profile("default", max_examples=200, derandomize=True, **_PROFILE)
# A mutant is killed by the first failing example: no time spent shrinking it.
settings.register_profile(
    "mutation", max_examples=25, derandomize=True, phases=[Phase.explicit, Phase.generate], **_PROFILE
)
settings.register_profile("deep", max_examples=1500, **_PROFILE)
settings.load_profile("default")


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


if os.environ.get("UNIONBOARD_MUTATION"):
    # `make mutate` (scripts/mutate.py) runs the tests again for every mutant. It migrates
    # one database beforehand (its DATABASE_URL), which the tests use as it is: no test
    # database is created per run; each test still runs in a transaction rolled back.
    @pytest.fixture(scope="session")
    def django_db_setup() -> None:
        return None

    def pytest_collection_modifyitems(config, items) -> None:
        """Property tests last: most mutants fall to a unit test within milliseconds."""
        items.sort(key=lambda item: "test_properties.py" in item.nodeid)
