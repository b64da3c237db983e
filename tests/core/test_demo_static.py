"""`gongzhi demo --load-only` leaves a site that any server can serve: the static manifest is written."""

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_load_only_collects_static_so_pages_render(settings, tmp_path, monkeypatch):
    # Given a storage that names assets through a manifest (as production does) and an empty static root
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    monkeypatch.setattr("gongzhi.demo.management.commands.demo.demo_is_loaded", lambda: True)
    # When the demo is loaded without serving
    call_command("demo", load_only=True)
    # Then a page renders (it names app.css through the manifest)
    assert (tmp_path / "static" / "staticfiles.json").exists()
    response = Client().get("/accounts/login/")
    assert response.status_code == 200 and b"/static/gongzhi/app." in response.content
