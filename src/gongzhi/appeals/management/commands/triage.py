"""``gongzhi triage train|evaluate|crossval|duplicates``: train, measure and check the triage models."""

import time
import warnings
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from gongzhi.triage import duplicates
from gongzhi.triage.classifier import CategoryClassifier, ModelError
from gongzhi.triage.services import TREES, bundled_training
from gongzhi.triage.training import (
    DataError,
    compound_real,
    compound_tree_documents,
    compound_written,
    lexicon,
    read_messages,
    seed_examples,
)

NONE = "(none)"


def report(truth: list[str], predicted: list[str]) -> tuple[str, float]:
    """Accuracy, macro-F1 over the categories present in ``truth``, and a per-category table."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    labels = sorted(set(truth))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    macro = float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0))
    lines = [
        f"messages={len(truth)}",
        f"accuracy={accuracy_score(truth, predicted):.4f}",
        f"no_suggestion={sum(1 for p in predicted if p == NONE)}",
        "",
        "precision  recall     f1  support  category",
    ]
    for row in zip(labels, precision, recall, f1, support, strict=True):
        label, p, r, f, n = row
        lines.append(f"{p:9.3f}{r:8.3f}{f:7.3f}{n:9d}  {label}")
    return "\n".join(lines), macro


def _predict(model: CategoryClassifier, examples: list) -> tuple[list[str], list[str], list[float]]:
    suggestions = model.suggest_many([(e.subject, e.detail) for e in examples])
    return (
        [e.label for e in examples],
        [s.label if s else NONE for s in suggestions],
        [s.confidence if s else 0.0 for s in suggestions],
    )


def _macro_f1(truth: list[str], predicted: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0))


class Command(BaseCommand):
    help = "Train the category model, evaluate it on a labelled CSV, cross-validate, or measure duplicates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser(
            "train", help="Train on the bundled messages plus staff-confirmed appeals and activate."
        )
        train.add_argument(
            "--seed-only", action="store_true", help="Ignore confirmed appeals in the database."
        )
        for command in (train,):
            command.add_argument("--tree", choices=[*TREES, "all"], default="all")
        evaluate = sub.add_parser("evaluate", help="Classify every row of FILE.csv and print the scores.")
        evaluate.add_argument("file", type=Path)
        evaluate.add_argument(
            "--seed", action="store_true", help="Use a fresh model trained on the bundled messages only."
        )
        evaluate.add_argument("--tree", choices=list(TREES), default="hotline")
        crossval = sub.add_parser("crossval", help="Repeated stratified cross-validation on a labelled CSV.")
        crossval.add_argument("file", type=Path, nargs="?", help="default: the bundled messages_train.csv")
        crossval.add_argument("--folds", type=int, default=5)
        crossval.add_argument("--repeats", type=int, default=4)
        crossval.add_argument(
            "--tree",
            choices=list(TREES),
            default="hotline",
            help="compound: the compound tree's labelled set (real messages held out, then written ones)",
        )
        dup = sub.add_parser(
            "duplicates", help="Precision and recall of the duplicate finder on the labelled set."
        )
        dup.add_argument("--threshold", type=float, default=duplicates.THRESHOLD)

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"do_{action}")(**options)
        except (DataError, ModelError) as exc:
            raise CommandError(str(exc)) from exc

    # -- train ------------------------------------------------------------------------------------

    def do_train(self, *, seed_only: bool = False, tree: str = "all", **_options) -> None:
        from gongzhi.appeals.triage import triage_model_train

        for name in TREES if tree == "all" else [tree]:
            started = time.monotonic()
            row = triage_model_train(use_confirmed=not seed_only, tree=name)
            counts = ", ".join(f"{label} {n}" for label, n in row.trained_on.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Model #{row.pk} ({name}) is active: {len(row.labels)} categories ({counts}); "
                    f"{row.confirmed_appeals} confirmed appeals; {time.monotonic() - started:.1f} s."
                )
            )

    # -- evaluate --------------------------------------------------------------------------------

    def _current_model(self, seed: bool, tree: str) -> CategoryClassifier:
        if not seed:
            from gongzhi.triage.services import active_classifier

            try:
                model = active_classifier(tree)
            except DatabaseError:
                model = None
            if model is not None:
                return model
            self.stderr.write(
                "No trained model in the database: using one trained now on the bundled messages."
            )
        examples, terms = bundled_training(tree)
        return CategoryClassifier.train(examples, lexicon=lexicon(), extra=terms)

    def do_evaluate(self, *, file: Path, seed: bool = False, tree: str = "hotline", **_options) -> None:
        examples = read_messages(file)
        if not examples:
            raise CommandError(f"{file} has no rows.")
        model = self._current_model(seed, tree)
        started = time.perf_counter()
        suggestions = model.suggest_many([(e.subject, e.detail) for e in examples])
        elapsed = time.perf_counter() - started
        predicted = [s.label if s else NONE for s in suggestions]
        text, macro = report([e.label for e in examples], predicted)
        self.stdout.write(text)
        unknown = sorted({e.label for e in examples} - set(model.labels))
        if unknown:
            self.stdout.write(f"\ncategories the model does not know: {', '.join(unknown)}")
        self.stdout.write(f"\nseconds={elapsed:.3f} ({len(examples) / max(elapsed, 1e-9):,.0f} messages/s)")
        self.stdout.write(f"macro_f1={macro:.4f}")

    # -- cross-validation --------------------------------------------------------------------------

    def do_crossval(
        self, *, file: Path | None = None, folds: int = 5, repeats: int = 4, tree: str = "hotline", **_options
    ) -> None:
        if tree == "compound":
            self._crossval_compound(folds=folds, repeats=repeats)
            return
        from sklearn.model_selection import RepeatedStratifiedKFold

        examples = read_messages(file) if file else seed_examples()
        labels = np.array([e.label for e in examples])
        _bundled, extra = bundled_training("hotline")
        words = lexicon()
        scores = []
        splits = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=0).split(
            labels, labels
        )
        for n, (train, test) in enumerate(splits, start=1):
            model = CategoryClassifier.train([examples[i] for i in train], lexicon=words, extra=extra)
            truth, predicted, _confidence = _predict(model, [examples[i] for i in test])
            scores.append(_macro_f1(truth, predicted))
            self.stderr.write(f"fold {n}: macro-F1 {scores[-1]:.4f}")
        self.stdout.write(f"folds={folds} repeats={repeats} messages={len(examples)}")
        self.stdout.write(f"macro_f1_mean={np.mean(scores):.4f} std={np.std(scores):.4f}")

    def _crossval_compound(self, *, folds: int, repeats: int) -> None:
        """The compound tree's labelled set: (1) the real messages held out a fold at a time (copies of one
        complaint never split), every written example always in training; (2) the written examples held
        out, the real ones always in training. Out-of-fold predictions are pooled for each repeat."""
        from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

        # Several categories have one or two real messages: fewer than the folds, as the set is.
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        real, groups = compound_real()
        written = compound_written()
        words, extra = lexicon(), compound_tree_documents()
        self.stdout.write(f"real={len(real)} written={len(written)} folds={folds} repeats={repeats}")
        pooled: dict[str, list[tuple[str, str, float]]] = {"real": [], "written": []}
        for part, held, kept, splitter in (
            ("real", real, written, lambda rep: StratifiedGroupKFold(folds, shuffle=True, random_state=rep)),
            ("written", written, real, lambda rep: StratifiedKFold(folds, shuffle=True, random_state=rep)),
        ):
            labels = np.array([e.label for e in held])
            scores = []
            for rep in range(repeats):
                truth, predicted, confidence = [], [], []
                split = splitter(rep).split(np.zeros(len(held)), labels, groups if part == "real" else None)
                for train, test in split:
                    model = CategoryClassifier.train(
                        kept + [held[i] for i in train], lexicon=words, extra=extra
                    )
                    t, p, c = _predict(model, [held[i] for i in test])
                    truth += t
                    predicted += p
                    confidence += c
                scores.append(_macro_f1(truth, predicted))
                pooled[part] += list(zip(truth, predicted, confidence, strict=True))
                self.stderr.write(f"{part} held out, repeat {rep + 1}: macro-F1 {scores[-1]:.4f}")
            self.stdout.write(f"{part}_macro_f1_mean={np.mean(scores):.4f} std={np.std(scores):.4f}")
        self.stdout.write("\nconfidence  shown(real)  right(real)  shown(written)  right(written)")
        for floor in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
            cells = []
            for part in ("real", "written"):
                rows = pooled[part]
                shown = [(t, p) for t, p, c in rows if c >= floor]
                right = sum(1 for t, p in shown if t == p) / len(shown) if shown else 0.0
                cells.append(f"{len(shown) / len(rows):11.2f}{right:13.2f}")
            self.stdout.write(f"{floor:10.1f}" + "".join(cells))

    # -- duplicates --------------------------------------------------------------------------------

    def do_duplicates(self, *, threshold: float = duplicates.THRESHOLD, **_options) -> None:
        pairs = duplicates.labelled_pairs(duplicates.HOT_MESSAGES)
        board = len([p for p in pairs if p[3] == "board"])
        for name, subset in (("public board", pairs[:board]), ("re-tellings", pairs[board:]), ("all", pairs)):
            s = duplicates.evaluate(subset, threshold)
            self.stdout.write(
                f"{name:<13} pairs={s.pairs} duplicates={s.duplicates} precision={s.precision:.3f} "
                f"recall={s.recall:.3f} f1={s.f1:.3f}"
            )
        self.stdout.write(f"threshold={threshold}")
