"""Every figure a module's KPI provider returns is declared once, beside the provider
(``GongzhiApp.kpi_figures``): the cockpit, the monthly reports and the action plans' task form all name
figures from that declaration, so none of them shows a raw key."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import override

from gongzhi.cockpit.panels import PANELS
from gongzhi.core.registry import FIGURE_KINDS, RATE, gongzhi_apps, kpi_figure, kpi_figures, kpi_providers
from gongzhi.reports.figures import _flat
from gongzhi.reports.labels import HEADLINES


def _keys(total):
    return set(_flat(total))


def test_every_provider_declares_its_figures():
    declared = kpi_figures()
    providers = kpi_providers()
    assert providers and set(providers) == set(declared)
    for app in gongzhi_apps():
        assert bool(app.kpis) == bool(app.kpi_figures), app.label
    for app, figures in declared.items():
        for key, figure in figures.items():
            assert figure.kind in FIGURE_KINDS, (app, key)
            with override("zh-hans"):
                name = str(figure.label)
            assert name and name != key and not name.isascii(), (app, key, name)  # translated


def test_every_figure_a_provider_returns_has_a_declared_label(world):
    end = timezone.make_aware(datetime(2026, 7, 1))
    declared = kpi_figures()
    for app, provider in kpi_providers().items():
        for group_by in (None, "node", "month"):
            result = provider(
                fetched_by=world.superuser,
                node=world.district,
                start=end - timedelta(days=400),
                end=end,
                group_by=group_by,
            )
            returned = _keys(result["total"])
            assert returned, app
            missing = returned - set(declared[app])
            assert not missing, f"{app} returns figures nobody named: {sorted(missing)}"
            for group in result.get("groups", []):
                extra = _keys(group) - set(declared[app]) - {"key", "label", "node"}
                assert not extra, f"{app} groups carry figures nobody named: {sorted(extra)}"


def test_the_cockpit_and_the_reports_name_only_declared_figures():
    declared = kpi_figures()
    for app, spec in PANELS.items():
        for tile in spec.tiles:
            assert tile.key in declared[app], (app, tile.key)
            assert tile.label is declared[app][tile.key].label and tile.fmt == declared[app][tile.key].kind
        assert set(spec.lines) <= {t.key for t in spec.tiles} and spec.rank in {t.key for t in spec.tiles}
    for app, key in HEADLINES.items():
        assert key in declared[app], (app, key)


def test_an_undeclared_key_falls_back_to_itself():
    assert str(kpi_figure("appeals", "no_such_figure").label) == "no_such_figure"
    assert kpi_figure("appeals", "made_up_rate").kind == RATE
    assert kpi_figure("appeals", "satisfaction_rate").kind == RATE
