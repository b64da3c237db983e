import itertools
from datetime import date, timedelta

import factory

from gongzhi.accounts.models import Person, RoleBinding, User
from gongzhi.core import pii

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


def with_phone(user: User, phone: str) -> User:
    user.set_phone(phone)
    user.save(update_fields=["phone_cipher", "phone_index"])
    return user


def bind(user: User, role: str, node) -> RoleBinding:
    return RoleBinding.objects.create(user=user, role=role, node=node)


_id_serial = itertools.count()


def valid_id_number(region: str = "330105", born: str | None = None) -> str:
    """A valid, unique resident ID number (a fresh birth day every 900 numbers, so the supply never ends)."""
    n = next(_id_serial)
    born = born or (date(1980, 1, 1) + timedelta(days=n // 900)).strftime("%Y%m%d")
    first17 = f"{region}{born}{100 + n % 900:03d}"
    return first17 + pii.id_check_character(first17)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"居民{n}")
    gender = "F"
    birth_year = 1960

    @factory.post_generation
    def phone(self, create, extracted, **kwargs):
        if extracted:
            self.set_phone(extracted)
            if create:
                self.save(update_fields=["phone_cipher", "phone_index"])

    @factory.post_generation
    def id_number(self, create, extracted, **kwargs):
        if extracted:
            self.set_id_number(extracted)
            if create:
                self.save(update_fields=["id_cipher", "id_index"])
