"""Apps register themselves: each app's ``AppConfig`` (a ``GongzhiApp``) declares what it contributes, and
the shared machinery reads it from here. ``core`` imports no app, and adding an app needs no edit outside
it except ``INSTALLED_APPS``.

    class AppealsConfig(GongzhiApp):
        name = "gongzhi.appeals"
        layer = FEATURE
        depends_on = ("gongzhi.triage",)
        urls = [Mount("appeals/", "gongzhi.appeals.urls")]
        api_router = "gongzhi.appeals.api.router"
        nav = [Nav("appeals", _("Appeals"), "appeals:index", when=is_caseworker, order=20)]
        home_cards = [HomeCard("appeals/_home_start.html", "gongzhi.appeals.home.start_card", order=10)]
        spreadsheets = [Spreadsheet("appeals", _("Appeals"), exporter="gongzhi.appeals.spreadsheets.export")]
        demo = [DemoStep("appeals", "gongzhi.appeals.demo.load", order=30)]
        kpis = "gongzhi.appeals.kpis.appeal_kpis"
        kpi_figures = "gongzhi.appeals.kpis.FIGURES"

Everything that would import the app's modules is named by a dotted path and imported on first use, so
declaring it costs nothing at start-up and creates no import edge.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Any, ClassVar

from django.apps import AppConfig, apps
from django.utils.module_loading import import_string
from django.utils.translation import pgettext_lazy

# Layers, lowest first. An app may import apps of lower layers, and apps of its own layer only when it
# names them in ``depends_on`` (tests/core/test_layers.py turns this into import-linter contracts).
CORE = "core"  # this app: imports no other
PLATFORM = "platform"  # the tree, people and roles (orgs, accounts)
SERVICE = "service"  # shared services every feature may use (notifications, the API, the demo)
FEATURE = "feature"  # the modules residents and staff use (appeals, volunteering, the mall …)
LAYERS = (CORE, PLATFORM, SERVICE, FEATURE)

UserPredicate = Callable[[Any], bool]


def _call(predicate: UserPredicate | None, user: Any) -> bool:
    if predicate is None:
        return True
    test = getattr(predicate, "test", None)
    return bool(test(user) if test is not None else predicate(user))


@dataclass(frozen=True)
class Mount:
    """Include the app's URLconf ``urlconf`` (a dotted module path) under ``prefix``."""

    prefix: str
    urlconf: str


# The sections a long main menu folds into, in menu order (an entry without a section stays on the top
# row). A menu of at most NAV_FLAT_UP_TO entries (a resident's) is shown flat.
NAV_SECTIONS: dict[str, Any] = {
    "services": pgettext_lazy("menu", "Services"),
    "party": pgettext_lazy("menu", "Party building"),
    "figures": pgettext_lazy("menu", "Figures"),
    "manage": pgettext_lazy("menu", "Management"),
}
NAV_FLAT_UP_TO = 12
# A short menu (a resident's) longer than this shows the entries marked ``bar`` (at most this many) and puts
# the others under "More": a phone shows it without scrolling sideways.
NAV_BAR_UP_TO = 4
NAV_MORE = pgettext_lazy("menu", "More")


@dataclass(frozen=True)
class Nav:
    """A main-menu entry, shown to the users ``when`` holds for (a rules predicate of the user)."""

    key: str
    label: Any
    url_name: str
    order: int = 100
    when: UserPredicate | None = None
    shortcut: bool = False  # also among the residents' shortcuts on the home page
    section: str = ""  # a key of NAV_SECTIONS: where the entry folds when a user's menu is long
    bar: bool = False  # one of the few entries a short menu keeps on its bar (the rest go under "More")

    def shown_to(self, user: Any) -> bool:
        return _call(self.when, user)


@dataclass(frozen=True)
class HomeCard:
    """A card on the home page: ``context(request)`` (dotted path) returns the template's context, or None
    to leave the card out for this user."""

    template: str
    context: str
    order: int = 100

    def context_for(self, request: Any) -> dict[str, Any] | None:
        result: dict[str, Any] | None = import_string(self.context)(request)
        return result


@dataclass(frozen=True)
class Spreadsheet:
    """An Excel list the app reads and/or writes.

    ``importer(*, actor, source, progress=None) -> int`` (rows imported; all or nothing);
    ``exporter(*, actor, reveal=False) -> bytes`` (what ``actor`` may see)."""

    kind: str
    label: Any
    importer: str | None = None
    exporter: str | None = None
    import_when: UserPredicate | None = None  # who may import it (the page lists it only to them)
    headers: Any = ""  # the column headers an import file has, shown on the import page
    export_url: str | None = None  # the URL name of the page's download
    export_when: UserPredicate | None = None  # who may download it (the import page links it only for them)

    def may_import(self, user: Any) -> bool:
        return self.importer is not None and _call(self.import_when, user)

    def may_export(self, user: Any) -> bool:
        return self.exporter is not None and self.export_url is not None and _call(self.export_when, user)

    def run_import(self, **kwargs: Any) -> int:
        assert self.importer is not None
        count: int = import_string(self.importer)(**kwargs)
        return count

    def run_export(self, **kwargs: Any) -> bytes:
        assert self.exporter is not None
        content: bytes = import_string(self.exporter)(**kwargs)
        return content


@dataclass(frozen=True)
class DemoStep:
    """One step of ``gongzhi demo``: ``load(ctx)`` (dotted path) adds the app's demo data and returns figures
    for the summary line. Steps run in ``order``; ``ctx`` carries the random generator and what earlier steps
    made (``ctx.nodes`` by name …)."""

    name: str
    load: str
    order: int = 100


@dataclass(frozen=True)
class KpiProvider:
    """The app's figures: ``kpis(*, fetched_by, node, start, end, group_by)`` returns ``{"total": {...},
    "groups": [...]}`` for ``node``'s subtree in [start, end), counted in what ``fetched_by`` may count."""

    app: str
    label: Any
    path: str

    def __call__(self, **kwargs: Any) -> dict[str, Any]:
        result: dict[str, Any] = import_string(self.path)(**kwargs)
        return result


# What a KPI figure is, so every page shows it the same way: a count, a rate (a share from 0 to 1, shown in
# per cent), hours, another number (an average, an area), money (yuan) or a percentage (0–100 already).
COUNT, RATE, HOURS, NUMBER, MONEY, PERCENT = "count", "rate", "hours", "number", "money", "percent"
FIGURE_KINDS = (COUNT, RATE, HOURS, NUMBER, MONEY, PERCENT)


@dataclass(frozen=True)
class KpiFigure:
    """The name (translatable) and kind of one figure an app's KPI provider returns. A tally nested in the
    total (``{"ratings": {"satisfied": 3}}``) is declared under the dotted key ``"ratings.satisfied"``."""

    label: Any
    kind: str = COUNT

    def __post_init__(self) -> None:
        if self.kind not in FIGURE_KINDS:
            raise ValueError(f"unknown figure kind {self.kind!r}")

    @property
    def is_rate(self) -> bool:
        return self.kind == RATE


@dataclass(frozen=True)
class ObjectAction:
    """A button one app adds to another app's object page, e.g. deliberation's "take up as a topic" on an
    appeal. ``model`` is the object's "app_label.ModelName"; the button is shown to the users for whom
    ``when(user, obj)`` holds (a rules predicate) and opens ``url_name`` with ``?<param>=<object's pk>``, where
    the app's own page fills in its form; its service checks everything again on submit."""

    model: str
    key: str
    label: Any
    url_name: str
    param: str = "id"
    fragment: str = ""
    when: Callable[[Any, Any], bool] | str | None = None  # a predicate, or its dotted path
    order: int = 100

    def shown(self, user: Any, obj: Any) -> bool:
        if self.when is None:
            return True
        when = import_string(self.when) if isinstance(self.when, str) else self.when
        test = getattr(when, "test", None)
        return bool(test(user, obj) if test is not None else when(user, obj))

    def url_for(self, obj: Any) -> str:
        from urllib.parse import urlencode

        from django.urls import reverse

        url = f"{reverse(self.url_name)}?{urlencode({self.param: obj.pk})}"
        return f"{url}#{self.fragment}" if self.fragment else url


@dataclass(frozen=True)
class PhotoSlot:
    """A picture staff may give the app's objects (``core.photos``): ``model`` is "app_label.ModelName", its
    ``field`` a FileField; the photo is shown to whoever may ``view`` the object and changed by whoever may
    ``manage`` it (the model's scope actions); ``back`` is the URL name of the object's page (taking the
    object's pk, or none). Without a photo the page shows ``static/gongzhi/placeholders/<kind>.svg``."""

    kind: str
    model: str
    label: Any
    back: str
    field: str = "photo"
    manage: str = "manage"

    @property
    def placeholder(self) -> str:
        return f"gongzhi/placeholders/{self.kind}.svg"


class GongzhiApp(AppConfig):
    """The AppConfig of every Gongzhi app: what it contributes, declared as data."""

    # Django takes an app's config from its apps.py when exactly one class there is a default candidate:
    # this base (imported into every apps.py) never is, each app's own subclass always is.
    default = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.default = True

    layer: ClassVar[str] = FEATURE
    depends_on: ClassVar[Sequence[str]] = ()  # apps of the same layer this one may import
    urls: ClassVar[Sequence[Mount]] = ()
    api_router: ClassVar[str | None] = None  # dotted path of a ninja Router
    nav: ClassVar[Sequence[Nav]] = ()
    home_cards: ClassVar[Sequence[HomeCard]] = ()
    spreadsheets: ClassVar[Sequence[Spreadsheet]] = ()
    demo: ClassVar[Sequence[DemoStep]] = ()
    kpis: ClassVar[str | None] = None  # dotted path of the KPI provider
    kpi_label: ClassVar[Any] = None
    # dotted path of the app's declaration of its KPI figures: a dict key → KpiFigure beside the provider,
    # the one place the cockpit, the monthly reports and the action plans take a figure's name and kind from.
    kpi_figures: ClassVar[str | None] = None
    warm_up: ClassVar[Sequence[str]] = ()  # dotted paths of callables a new worker runs before serving
    context_processors: ClassVar[Sequence[str]] = ()  # dotted paths: fn(request) -> dict for every page
    # Place pickers of the app's forms: purpose → dotted path of fn(user) -> orgs.picker.PlaceChoice (the
    # kinds one may pick for that purpose and the subtrees the user may pick them in).
    place_pickers: ClassVar[dict[str, str]] = {}
    # dotted paths of the app's periodic schedules (gongzhi.core.background.Every) whose work runs under a
    # lease of the same name: the health endpoint (and the cockpit) show when each last ran, and if late.
    watched_jobs: ClassVar[Sequence[str]] = ()
    # Buttons on other apps' object pages (ObjectAction), e.g. "take this appeal to a council".
    object_actions: ClassVar[Sequence[ObjectAction]] = ()
    # Pictures staff may give the app's objects (PhotoSlot), uploaded and served by ``core.photos``.
    photos: ClassVar[Sequence[PhotoSlot]] = ()
    # dotted path of the app's measures module, what the cockpit's day rollups are made of (docs/cockpit.md):
    # ``SOURCES`` (model label, path of its day), ``daily_measures(*, days=None)`` → (node id, day, measure,
    # value) rows of additive figures at the node where they happen, and ``figures(sums)`` → the KPI total.
    measures: ClassVar[str | None] = None


def gongzhi_apps() -> list[GongzhiApp]:
    """The installed Gongzhi apps, in INSTALLED_APPS order."""
    return [c for c in apps.get_app_configs() if isinstance(c, GongzhiApp)]


def _collect(attribute: str) -> list[Any]:
    return [item for app in gongzhi_apps() for item in getattr(app, attribute)]


def place_picker(purpose: str) -> Callable[[Any], Any] | None:
    """The provider of a place picker's choice for ``purpose``, if an app declares one."""
    for app in gongzhi_apps():
        if purpose in app.place_pickers:
            provider: Callable[[Any], Any] = import_string(app.place_pickers[purpose])
            return provider
    return None


def url_mounts() -> list[Mount]:
    return _collect("urls")


def api_routers() -> list[tuple[str, Any]]:
    """(app label, Router) for every app with an API router, imported now."""
    return [(app.label, import_string(app.api_router)) for app in gongzhi_apps() if app.api_router]


def nav_entries(user: Any) -> list[Nav]:
    return sorted((n for n in _collect("nav") if n.shown_to(user)), key=lambda n: (n.order, n.key))


def home_cards() -> list[HomeCard]:
    return sorted(_collect("home_cards"), key=lambda c: c.order)


def spreadsheets() -> dict[str, Spreadsheet]:
    return {s.kind: s for s in _collect("spreadsheets")}


def demo_steps() -> list[DemoStep]:
    return sorted(_collect("demo"), key=lambda s: s.order)


def kpi_providers() -> dict[str, KpiProvider]:
    return {
        app.label: KpiProvider(app.label, app.kpi_label or app.verbose_name, app.kpis)
        for app in gongzhi_apps()
        if app.kpis
    }


def kpi_figures() -> dict[str, dict[str, KpiFigure]]:
    """app label → the figures its KPI provider returns, by key, for every app that declares them."""
    return {app.label: import_string(app.kpi_figures) for app in gongzhi_apps() if app.kpi_figures}


def kpi_figure(app: str, key: str) -> KpiFigure:
    """The declared figure ``key`` of ``app``; one nobody declared (tests/core/test_kpi_figures.py forbids
    that) shows under its key, as a rate if its key says so."""
    found = kpi_figures().get(app, {}).get(key)
    if found is not None:
        return found
    return KpiFigure(key, RATE if key.endswith("_rate") else COUNT)


def measure_sources() -> dict[str, Any]:
    """app label → the app's measures module (imported now), for every app that declares one."""
    return {app.label: import_module(app.measures) for app in gongzhi_apps() if app.measures}


def object_actions(user: Any, obj: Any, model: str | None = None) -> list[dict[str, Any]]:
    """The buttons other apps add to ``obj``'s page for ``user``: ``{"key", "label", "url"}`` in order.
    ``model`` names what the page shows when it is not ``obj``'s model itself, e.g. "appeals.hot_issue" for a
    hot issue on its list, given by the appeal that stands for it."""
    model = model or obj._meta.label
    shown = sorted(
        (a for a in _collect("object_actions") if a.model == model and a.shown(user, obj)),
        key=lambda a: (a.order, a.key),
    )
    return [{"key": a.key, "label": a.label, "url": a.url_for(obj)} for a in shown]


def photo_slots() -> dict[str, PhotoSlot]:
    return {slot.kind: slot for slot in _collect("photos")}


def watched_jobs() -> list[Any]:
    return [import_string(path) for path in _collect("watched_jobs")]


def warm_ups() -> list[Callable[[], Any]]:
    return [import_string(path) for path in _collect("warm_up")]


@cache
def _processor(path: str) -> Callable[[Any], dict[str, Any]]:
    processor: Callable[[Any], dict[str, Any]] = import_string(path)
    return processor


def extra_context(request: Any) -> dict[str, Any]:
    """What every app's context processors add to every page (e.g. the unread-messages count)."""
    context: dict[str, Any] = {}
    for path in _collect("context_processors"):
        context.update(_processor(path)(request))
    return context


@dataclass
class DemoContext:
    """Shared by the demo steps: the seeded random generator and what earlier steps made."""

    rng: Any
    figures: dict[str, int] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)
    progress: Callable[[str], None] = lambda message: None

    def add(self, figures: Iterable[tuple[str, int]] | dict[str, int] | None) -> None:
        if figures:
            self.figures.update(dict(figures))
