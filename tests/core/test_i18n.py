import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.test import Client
from django.utils import translation

import gongzhi

LOCALE = Path(gongzhi.__file__).parent / "locale"


def catalogue(lang):
    with open(LOCALE / lang / "LC_MESSAGES" / "django.po", "rb") as handle:
        return read_po(handle)


def test_chinese_catalogue_is_complete():
    missing = [
        m.id
        for m in catalogue("zh_Hans")
        if m.id
        and (not m.string or "fuzzy" in m.flags or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    assert missing == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext not installed")
def test_catalogue_covers_every_string_in_the_code(tmp_path):
    """Extract the strings afresh from a copy of the source: none may be missing from the catalogue."""
    source = Path(gongzhi.__file__).parent
    copy = tmp_path / "gongzhi"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__", "vendor"))
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": ""},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with open(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po", "rb") as handle:
        fresh = {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(handle) if m.id}
    committed = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalogue("zh_Hans") if m.id}
    assert fresh - committed == set()


def test_chinese_is_the_default_and_english_is_one_click_away(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")  # an English browser still gets Chinese
    page = client.get("/accounts/login/")
    assert "登录共治" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/")
    assert "Sign in to Gongzhi" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "xx", "next": "/accounts/login/"})
    assert "Sign in to Gongzhi" in client.get("/accounts/login/").content.decode()


def test_role_names_are_translated():
    from gongzhi.core.roles import Role

    with translation.override("zh-hans"):
        assert str(Role.COMMISSIONER.label) == "小区专员"
        assert str(Role.SUBDISTRICT_ADMIN.label) == "街道工作人员"


def test_not_found_is_a_page_of_the_site_in_the_users_language(world, login):
    page = login(world.resident).get("/appeals/999999/")
    assert page.status_code == 404
    text = page.content.decode()
    assert (
        "没有找到" in text and "返回首页" in text and 'class="mainnav' in text
    )  # the menu (a resident's: mainnav grouped bar)
