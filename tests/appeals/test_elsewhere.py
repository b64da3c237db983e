"""Other modules' buttons on the appeal page (core.registry.ObjectAction): staff handling an open appeal
take it to a council, to mediation or to the alliance's units in one click, with the appeal filled in."""

import re

import pytest
from django.urls import reverse

from gongzhi.appeals.services import appeal_transition
from gongzhi.core.registry import object_actions

pytestmark = pytest.mark.django_db


def test_handlers_see_the_buttons_residents_do_not(world, file_appeal, login):
    appeal = file_appeal()
    keys = [a["key"] for a in object_actions(world.commissioner, appeal)]
    assert keys == ["topic", "mediation", "need"]
    assert object_actions(world.resident, appeal) == []
    assert object_actions(world.a2_staff, appeal) == []  # another community's staff: not their appeal
    page = login(world.commissioner).get(reverse("appeals:detail", args=[appeal.pk]))
    assert 'id="elsewhere"' in page.content.decode()
    page = login(world.resident).get(reverse("appeals:detail", args=[appeal.pk]))
    assert 'id="elsewhere"' not in page.content.decode()


def test_closed_appeals_have_none(world, file_appeal):
    appeal = file_appeal()
    appeal = appeal_transition(actor=world.commissioner, appeal=appeal, action="accept")
    appeal = appeal_transition(actor=world.commissioner, appeal=appeal, action="resolve", reply="已处理")
    assert object_actions(world.commissioner, appeal) == []


def test_each_button_opens_its_form_with_the_appeal_filled_in(world, file_appeal, login):
    appeal = file_appeal()
    client = login(world.commissioner)
    for action in object_actions(world.commissioner, appeal):
        assert action["url"].endswith(f"appeal={appeal.pk}#" + action["url"].split("#")[1])
        page = client.get(action["url"].split("#")[0]).content.decode()
        field = re.search(r'<input[^>]*name="appeal"[^>]*>', page)
        assert field is not None, action["key"]
        assert f'value="{appeal.pk}"' in field.group(0), (action["key"], field.group(0))


def test_the_filled_in_number_is_digits_only(world, login):
    page = (
        login(world.commissioner).get(reverse("deliberation:index") + '?appeal="><script>').content.decode()
    )
    field = re.search(r'<input[^>]*name="appeal"[^>]*>', page)
    assert field is not None and 'value=""' in field.group(0)
