"""The register requests staff make most, whose plans must not grow with the number of residents
(gongzhi.core.plans). A new list or count of people adds its entry here."""

# unscoped-module: seeds the plan tests' database (bulk rows for every role) and reads back what it made

import random
from typing import Any

from gongzhi.accounts.models import Person
from gongzhi.core.plans import HotRequest

LARGE_TABLES = ("accounts_person",)

HOT_REQUESTS = [
    HotRequest("residents", "commissioner", "/api/v1/people?limit=25"),
    HotRequest("residents", "community_staff", "/api/v1/people?limit=25"),
    HotRequest("residents", "subdistrict_admin", "/api/v1/people?limit=25"),
    HotRequest(
        "residents, middle page",
        "subdistrict_admin",
        "/api/v1/people?limit=25&offset={people_middle}",
        kind="middle page",
    ),
    HotRequest("residents (web page)", "community_staff", "/accounts/people/"),
    HotRequest("residents (web page)", "subdistrict_admin", "/accounts/people/"),
]


def seed(world: Any, *, count: int = 20_000) -> dict[str, Any]:
    """``count`` residents over ``world.compounds``, a third in the first."""
    rng = random.Random(12)
    home = world.compounds[0]
    people = [
        Person(node=home if rng.random() < 0.33 else rng.choice(world.compounds), name=f"居民{i}")
        for i in range(count)
    ]
    Person.objects.bulk_create(people, batch_size=2000)
    in_reach = Person.objects.filter(node__path__startswith=world.sub_a.path).count()
    return {"people_middle": in_reach // 2}
