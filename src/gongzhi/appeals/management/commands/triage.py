"""``gongzhi triage train|evaluate|crossval|duplicates``: train, measure and check the triage models."""

import time
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from gongzhi.triage import duplicates
from gongzhi.triage.classifier import CategoryClassifier, ModelError
from gongzhi.triage.training import DataError, lexicon, read_messages, seed_examples, taxonomy_documents

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
        evaluate = sub.add_parser("evaluate", help="Classify every row of FILE.csv and print the scores.")
        evaluate.add_argument("file", type=Path)
        evaluate.add_argument(
            "--seed", action="store_true", help="Use a fresh model trained on the bundled messages only."
        )
        crossval = sub.add_parser("crossval", help="Repeated stratified cross-validation on a labelled CSV.")
        crossval.add_argument("file", type=Path, nargs="?", help="default: the bundled messages_train.csv")
        crossval.add_argument("--folds", type=int, default=5)
        crossval.add_argument("--repeats", type=int, default=4)
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

    def do_train(self, *, seed_only: bool = False, **_options) -> None:
        from gongzhi.appeals.triage import triage_model_train

        started = time.monotonic()
        row = triage_model_train(use_confirmed=not seed_only)
        counts = ", ".join(f"{label} {n}" for label, n in row.trained_on.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Model #{row.pk} is active: {len(row.labels)} categories ({counts}); "
                f"{row.confirmed_appeals} confirmed appeals; {time.monotonic() - started:.1f} s."
            )
        )

    # -- evaluate --------------------------------------------------------------------------------

    def _current_model(self, seed: bool) -> CategoryClassifier:
        if not seed:
            from gongzhi.triage.services import active_classifier

            try:
                model = active_classifier()
            except DatabaseError:
                model = None
            if model is not None:
                return model
            self.stderr.write(
                "No trained model in the database: using one trained now on the bundled messages."
            )
        return CategoryClassifier.train(seed_examples(), lexicon=lexicon(), extra=taxonomy_documents())

    def do_evaluate(self, *, file: Path, seed: bool = False, **_options) -> None:
        examples = read_messages(file)
        if not examples:
            raise CommandError(f"{file} has no rows.")
        model = self._current_model(seed)
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

    def do_crossval(self, *, file: Path | None = None, folds: int = 5, repeats: int = 4, **_options) -> None:
        from sklearn.metrics import f1_score
        from sklearn.model_selection import RepeatedStratifiedKFold

        examples = read_messages(file) if file else seed_examples()
        labels = np.array([e.label for e in examples])
        words, extra = lexicon(), taxonomy_documents()
        scores = []
        splits = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=0).split(
            labels, labels
        )
        for n, (train, test) in enumerate(splits, start=1):
            model = CategoryClassifier.train([examples[i] for i in train], lexicon=words, extra=extra)
            predicted = [
                s.label if s else NONE
                for s in model.suggest_many([(examples[i].subject, examples[i].detail) for i in test])
            ]
            scores.append(
                f1_score(
                    labels[test], predicted, labels=sorted(set(labels)), average="macro", zero_division=0
                )
            )
            self.stderr.write(f"fold {n}: macro-F1 {scores[-1]:.4f}")
        self.stdout.write(f"folds={folds} repeats={repeats} messages={len(examples)}")
        self.stdout.write(f"macro_f1_mean={np.mean(scores):.4f} std={np.std(scores):.4f}")

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
