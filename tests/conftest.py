"""Shared fixtures: a small two-subdistrict world with one user per role."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from gongzhi.accounts.sms import MemorySmsBackend
from gongzhi.core.roles import Role
from gongzhi.orgs.models import NodeKind
from tests.accounts.factories import PersonFactory, UserFactory, bind, valid_id_number
from tests.orgs.factories import PartyMembershipFactory, PartyOrgFactory, make_node


@pytest.fixture(autouse=True)
def _default_language():
    """Requests activate a language for the thread; start every test from the site default (Chinese)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_sms_outbox():
    MemorySmsBackend.outbox.clear()
    yield
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def world(db):
    """
    区D ─ 街道A ─ 社区A1 ─ 小区A1a ─ 楼A1a-1
        │        │       └ 小区A1b
        │        └ 社区A2 ─ 小区A2a ─ 楼A2a-1      (A2 is A1's neighbouring community)
        └ 街道B ─ 社区B1 ─ 小区B1a
    """
    w = SimpleNamespace()
    w.district = make_node(None, NodeKind.DISTRICT, "区D")
    w.sub_a = make_node(w.district, NodeKind.SUBDISTRICT, "街道A")
    w.sub_b = make_node(w.district, NodeKind.SUBDISTRICT, "街道B")
    w.comm_a1 = make_node(w.sub_a, NodeKind.COMMUNITY, "社区A1")
    w.comm_a2 = make_node(w.sub_a, NodeKind.COMMUNITY, "社区A2")
    w.comm_b1 = make_node(w.sub_b, NodeKind.COMMUNITY, "社区B1")
    w.cmp_a1a = make_node(w.comm_a1, NodeKind.COMPOUND, "小区A1a")
    w.cmp_a1b = make_node(w.comm_a1, NodeKind.COMPOUND, "小区A1b")
    w.cmp_a2a = make_node(w.comm_a2, NodeKind.COMPOUND, "小区A2a")
    w.cmp_b1a = make_node(w.comm_b1, NodeKind.COMPOUND, "小区B1a")
    w.bld_a1a = make_node(w.cmp_a1a, NodeKind.BUILDING, "楼A1a-1")
    w.bld_a2a = make_node(w.cmp_a2a, NodeKind.BUILDING, "楼A2a-1")
    for n in ("district", "sub_a", "sub_b", "comm_a1", "comm_a2", "cmp_a1a"):
        getattr(w, n).refresh_from_db()

    w.p_a1a = PersonFactory(node=w.bld_a1a, name="张三", phone="13812341234", id_number=valid_id_number())
    w.p_a1b = PersonFactory(node=w.cmp_a1b, name="李四", phone="13912345678")
    w.p_a2a = PersonFactory(node=w.bld_a2a, name="王五", phone="13700001111", id_number=valid_id_number())
    w.p_b1a = PersonFactory(node=w.cmp_b1a, name="赵六", phone="13600002222")

    w.branch_a1a = PartyOrgFactory(node=w.cmp_a1a, name="小区A1a党支部")
    w.branch_a2a = PartyOrgFactory(node=w.cmp_a2a, name="小区A2a党支部")
    PartyMembershipFactory(party_org=w.branch_a1a, person=w.p_a1a)
    PartyMembershipFactory(party_org=w.branch_a2a, person=w.p_a2a)

    w.superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    w.sub_admin = UserFactory(username="sub-a-admin")
    bind(w.sub_admin, Role.SUBDISTRICT_ADMIN, w.sub_a)
    w.sub_b_admin = UserFactory(username="sub-b-admin")
    bind(w.sub_b_admin, Role.SUBDISTRICT_ADMIN, w.sub_b)
    w.a1_staff = UserFactory(username="a1-staff")
    bind(w.a1_staff, Role.COMMUNITY_STAFF, w.comm_a1)
    w.a1_secretary = UserFactory(username="a1-secretary")
    bind(w.a1_secretary, Role.COMMUNITY_SECRETARY, w.comm_a1)
    w.a2_staff = UserFactory(username="a2-staff")
    bind(w.a2_staff, Role.COMMUNITY_STAFF, w.comm_a2)
    w.commissioner = UserFactory(username="a1a-commissioner")
    bind(w.commissioner, Role.COMMISSIONER, w.cmp_a1a)
    w.resident = UserFactory(username="a1a-resident")
    bind(w.resident, Role.RESIDENT, w.cmp_a1a)
    w.p_a1a.user = w.resident
    w.p_a1a.save(update_fields=["user"])
    w.viewer = UserFactory(username="viewer")
    bind(w.viewer, Role.DISTRICT_VIEWER, w.district)
    w.nobody = UserFactory(username="nobody")
    return w


@pytest.fixture
def login():
    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_login():
    """A test client that calls the JSON API with a fresh bearer token of ``user``."""
    from gongzhi.accounts.services import api_token_issue

    def _api_login(user) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user)}")

    return _api_login


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (tests marked ``browser``)."""
    import shutil

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        watched = WatchedBrowser(browser)
        yield watched
        browser.close()


# Reports every Content-Security-Policy violation of the page to the test (run before the page's own
# scripts; a script given to the browser by Playwright is not subject to the page's policy).
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__gongzhiCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
}, true);
"""


class WatchedBrowser:
    """The browser of the browser tests: each page it opens reports CSP violations (its
    ``securitypolicyviolation`` events and the console's "Content Security Policy" errors) into
    ``csp_violations``; ``_no_csp_violations`` fails the test that saw any."""

    def __init__(self, browser):
        self._browser = browser
        self.csp_violations: list[str] = []
        self.contexts: list = []

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.expose_function("__gongzhiCspViolation", lambda text: self.csp_violations.append(text))
        context.add_init_script(_REPORT_VIOLATIONS)
        context.on("console", self._console)
        self.contexts.append(context)
        return context

    def new_page(self, **options):
        context = self.new_context(**options)
        return context.new_page()

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)


@pytest.fixture(autouse=True)
def _no_csp_violations(request):
    """Every browser test fails on a Content-Security-Policy violation in any page it opened."""
    if "browser" not in request.fixturenames:
        yield
        return
    watched = request.getfixturevalue("browser")
    watched.csp_violations.clear()
    yield
    for context in watched.contexts:
        context.close()
    watched.contexts.clear()
    seen = list(watched.csp_violations)
    watched.csp_violations.clear()
    assert seen == [], f"Content-Security-Policy violations: {seen}"
