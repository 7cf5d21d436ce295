"""factory-boy factories: generated Vietnamese names, never real people."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from branches.models import Federation, FederationKind, GrassrootsUnion, Sector
from members.models import Gender, Member
from targets.models import Metric, Quota
from unionboard import roles


class FederationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Federation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"fed-{n:03d}")
    name = factory.Sequence(lambda n: f"LĐLĐ quận Thử Nghiệm {n}")
    kind = FederationKind.URBAN_DISTRICT


class UnionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GrassrootsUnion

    code = factory.Sequence(lambda n: f"cdcs-{n:05d}")
    name = factory.Sequence(lambda n: f"Công đoàn Công ty TNHH Thử Nghiệm {n}")
    federation = factory.SubFactory(FederationFactory)
    sector = Sector.NON_STATE
    founded_on = datetime.date(2015, 1, 1)
    employees = 40


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    card_no = factory.Sequence(lambda n: f"TN{n:08d}")
    full_name = factory.Faker("name", locale="vi_VN")
    gender = Gender.FEMALE
    birth_date = datetime.date(1995, 5, 17)
    union = factory.SubFactory(UnionFactory)
    admitted_on = datetime.date(2024, 3, 1)


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota

    federation = factory.SubFactory(FederationFactory)
    year = 2024
    metric = Metric.NEW_MEMBERS
    target = 100

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # Tests name the indicator by its code, as the interchange files do.
        if isinstance(kwargs.get("metric"), str):
            kwargs["metric_id"] = kwargs.pop("metric")
        return kwargs


def make_user(username: str, *, group: str | None = None, federations=(), **extra):
    """A user with a role group and (for officers) their federations."""
    user = get_user_model().objects.create_user(username=username, password="pw-" + username, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if federations:
        user.federations.set(federations)
    return user


ROLE_GROUPS = {
    "officer": roles.OFFICER_GROUP,
    "city_staff": roles.CITY_STAFF_GROUP,
    "admin": roles.ADMIN_GROUP,
}
