"""Monthly reports: the figures of a small seeded world (this month, the month before, the same month last
year), a PDF with its Chinese font embedded and its text extractable, the workbook, scoping of who may have
which area's report, bad input refused with nothing stored, the monthly task."""

import io
from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from gongzhi.core.models import AuditEvent
from gongzhi.reports.figures import month_figures
from gongzhi.reports.models import MonthlyReport, reports_dir
from gongzhi.reports.services import reports_monthly_generate
from gongzhi.wishes.models import Wish, WishStatus

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.get_fixed_timezone(480))


def _wishes(world, compound, when, n, status=WishStatus.PUBLISHED):
    for i in range(n):
        Wish.objects.create(
            node=compound,
            posted_by=world.sub_admin,
            wisher_name="张三",
            title=f"心愿{i}",
            status=status,
            created_at=when,
        )


@pytest.fixture
def seeded(world, settings, tmp_path):
    """Wishes in 街道A: 5 this month (3 in 社区A1, 2 in 社区A2), 2 the month before, 4 a year before; and 7
    this month in 街道B, which 街道A's report must not count."""
    settings.DATA_DIR = tmp_path
    _wishes(world, world.cmp_a1a, datetime(2026, 10, 3, tzinfo=NOW.tzinfo), 3)
    _wishes(world, world.cmp_a2a, datetime(2026, 10, 30, 23, tzinfo=NOW.tzinfo), 2, WishStatus.FULFILLED)
    _wishes(world, world.cmp_a1b, datetime(2026, 9, 12, tzinfo=NOW.tzinfo), 2)
    _wishes(world, world.cmp_a1a, datetime(2025, 10, 8, tzinfo=NOW.tzinfo), 4)
    _wishes(world, world.cmp_b1a, datetime(2026, 10, 8, tzinfo=NOW.tzinfo), 7)
    with time_machine.travel(NOW, tick=False):
        yield world


def _wish_figure(figures, key):
    section = next(s for s in figures.sections if s.app == "wishes")
    return section, next(f for f in section.figures if f.key == key)


def test_figures_of_a_month_against_the_month_before_and_last_year(seeded):
    figures = month_figures(fetched_by=seeded.sub_admin, node=seeded.sub_a, month=date(2026, 10, 1))
    section, posted = _wish_figure(figures, "posted")
    assert (posted.month, posted.previous, posted.last_year) == (5, 2, 4)
    assert _wish_figure(figures, "fulfilment_rate")[1].month == pytest.approx(0.4)
    assert dict(section.areas) == {"社区A1": 3, "社区A2": 2}
    assert section.trend[0] == ("2025-10", 4) and section.trend[-1] == ("2026-10", 5)
    assert {s.app for s in figures.sections} >= {"appeals", "volunteering", "wishes", "ledger"}


def test_generated_report_embeds_its_font_and_its_chinese_reads_back(seeded, login):
    client = login(seeded.sub_admin)
    response = client.post("/reports/generate/", {"node": seeded.sub_a.pk, "month": "2026-10"})
    assert response.status_code == 302
    report = MonthlyReport.objects.get()  # unscoped: the test reads what it made
    assert (report.node, report.month, report.generated_by) == (
        seeded.sub_a,
        date(2026, 10, 1),
        seeded.sub_admin,
    )

    pdf = client.get(f"/reports/{report.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    fonts = [f.get_object() for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    embedded = {
        str(f["/BaseFont"])
        for f in fonts
        if "/FontFile2" in f.get("/FontDescriptor", {})
        or any(
            "/FontFile2" in d.get_object().get("/FontDescriptor", {}) for d in f.get("/DescendantFonts", [])
        )
    }
    # every font the pages use is embedded, as a subset of the TrueType CJK font
    assert embedded == {str(f["/BaseFont"]) for f in fonts}
    assert all("+WenQuanYi" in name for name in embedded), embedded
    text = "".join(page.extract_text() for page in reader.pages)
    assert "街道A" in text and "2026" in text and "社区A1" in text  # the area chart's labels too
    assert "社区B1" not in text

    book = load_workbook(io.BytesIO(client.get(f"/reports/{report.pk}/xlsx/").content))
    rows = list(book.active.iter_rows(values_only=True))
    wish_rows = [r for r in rows if r[2] in ("Wishes posted", "发布心愿数") or (r[2] and "心愿" in str(r[2]))]
    assert any(r[1] == "街道A" and r[3:6] == (5, 2, 4) for r in wish_rows), wish_rows
    assert any(r[1] == "社区A2" and r[3] == 2 for r in wish_rows)

    page = client.get(f"/reports/?node={seeded.sub_a.pk}").content.decode()
    assert "2026-10" in page and f"/reports/{report.pk}/pdf/" in page
    assert AuditEvent.objects.filter(action="report.generate").count() == 1  # unscoped: test


def test_scoping_of_reports(seeded, login, api_login):
    # Given a report of 街道A
    api = api_login(seeded.sub_admin)
    made = api.post(
        "/api/v1/reports", {"node_id": seeded.sub_a.pk, "month": "2026-10"}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    report_id = made.json()["id"]
    # a community's staff may have their community's report, not their subdistrict's nor another's
    a1 = api_login(seeded.a1_staff)
    assert (
        a1.post(
            "/api/v1/reports",
            {"node_id": seeded.comm_a1.pk, "month": "2026-10"},
            content_type="application/json",
        ).status_code
        == 201
    )
    refused = a1.post(
        "/api/v1/reports", {"node_id": seeded.sub_a.pk, "month": "2026-10"}, content_type="application/json"
    )
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    assert a1.get(f"/api/v1/reports/{report_id}/pdf").status_code == 404
    listed = a1.get("/api/v1/reports")
    assert listed.status_code == 200, listed.content
    assert [r["node_id"] for r in listed.json()["items"]] == [seeded.comm_a1.pk], listed.content
    # the other subdistrict's admin sees neither; the district viewer sees both, aggregates only
    assert api_login(seeded.sub_b_admin).get("/api/v1/reports").json()["items"] == []
    viewer = api_login(seeded.viewer)
    assert viewer.get(f"/api/v1/reports/{report_id}/pdf").status_code == 200
    assert (
        viewer.post(
            "/api/v1/reports",
            {"node_id": seeded.district.pk, "month": "2026-10"},
            content_type="application/json",
        ).status_code
        == 201
    )
    # residents have no reports at all
    assert (
        api_login(seeded.resident)
        .post(
            "/api/v1/reports",
            {"node_id": seeded.cmp_a1a.pk, "month": "2026-10"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert login(seeded.resident).get("/reports/").status_code == 404


@pytest.mark.parametrize(
    "month, node, field",
    [
        ("0000-13", "sub_a", "month"),
        ("2026-13", "sub_a", "month"),
        ("1999-12", "sub_a", "month"),
        ("2026-12", "sub_a", "month"),  # not begun yet
        ("2026-1", "sub_a", "month"),
        ("２０２６-１０", "sub_a", "month"),
        ("2026-10", "sub_b", None),  # outside the admin's reach
    ],
)
def test_bad_input_is_refused_and_nothing_stored(seeded, api_login, login, month, node, field):
    api = api_login(seeded.sub_admin)
    response = api.post(
        "/api/v1/reports",
        {"node_id": getattr(seeded, node).pk, "month": month},
        content_type="application/json",
    )
    assert response.status_code == (422 if field else 404)
    body = response.json()
    assert body["detail"] and (field is None or field in body["fields"])
    page = login(seeded.sub_admin).post(
        "/reports/generate/", {"node": getattr(seeded, node).pk, "month": month}
    )
    assert page.status_code == 302
    assert not MonthlyReport.objects.exists()  # unscoped: test
    assert not reports_dir().exists() or not any(reports_dir().rglob("*.*"))


def test_monthly_task_makes_last_months_reports_once(seeded):
    made = reports_monthly_generate(today=date(2026, 11, 1))
    assert made == 6  # 区D, 街道A, 街道B and three communities
    assert reports_monthly_generate(today=date(2026, 11, 2)) == 0
    report = MonthlyReport.objects.get(node=seeded.sub_b)  # unscoped: test
    assert report.generated_by is None and report.file_path("pdf").stat().st_size == report.pdf_size


def check_demo_reports():
    """Called by the demo test (tests/core/test_demo.py) after its one load of the demo: last month's
    report of each of the five demo subdistricts is generated as the monthly task makes it (PDF with its font
    embedded and the subdistrict's name in its text; workbook), and its appeals and volunteering figures are
    the cockpit's for the same month (the report counts live, the cockpit from its rollups)."""
    from gongzhi.cockpit.figures import period_of, rollup_totals
    from gongzhi.core.registry import kpi_figure, measure_sources
    from gongzhi.orgs.models import Node
    from gongzhi.reports.figures import add_months
    from gongzhi.reports.services import report_file, report_generate

    month = add_months(timezone.localdate().replace(day=1), -1)
    period = period_of("month", month)
    sources = measure_sources()
    for name in ("上塘街道", "祥符街道", "望湖街道", "城厢街道", "大关街道"):
        node = Node.objects.get(name=name)
        report = report_generate(actor=None, node=node, month=month)
        reader = PdfReader(io.BytesIO(report_file(report=report, kind="pdf")))
        assert name in "".join(page.extract_text() for page in reader.pages), name
        rows = list(
            load_workbook(io.BytesIO(report_file(report=report, kind="xlsx"))).active.iter_rows(
                values_only=True
            )
        )
        cells = {(r[1], r[2]): r[3] for r in rows}
        totals = rollup_totals(node, period, ["appeals", "volunteering"])
        for app, key in (("appeals", "collected"), ("appeals", "resolved"), ("volunteering", "hours")):
            cockpit = sources[app].figures(totals.get(app, {}))[key]
            reported = cells[(name, str(kpi_figure(app, key).label))]
            assert float(reported or 0) == pytest.approx(float(cockpit or 0)), (name, app, key)
        assert cells[(name, str(kpi_figure("appeals", "collected").label))] > 0, name  # each had appeals
