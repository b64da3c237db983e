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


_id_serial = iter(range(100, 999))


def valid_id_number(region: str = "330105", born: str = "19800101") -> str:
    first17 = f"{region}{born}{next(_id_serial):03d}"
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
