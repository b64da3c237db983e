"""The category classifier on its own: accuracy on unseen real messages, the compiled form against
scikit-learn, storage, and the inputs residents really send."""

import io
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from gongzhi.triage.classifier import MIN_EXAMPLES, CategoryClassifier, Example, ModelError, WordIndex
from gongzhi.triage.text import LONGEST_WORD, LexiconAnalyzer, document, normalise
from gongzhi.triage.training import (
    DataError,
    lexicon,
    read_messages,
    seed_examples,
    taxonomy_documents,
)


def test_generalises_to_messages_it_was_not_trained_on():
    examples = seed_examples()
    train, test = train_test_split(
        examples, test_size=0.25, stratify=[e.label for e in examples], random_state=0
    )
    model = CategoryClassifier.train(train, lexicon=lexicon(), extra=taxonomy_documents())
    predicted = [s.label if s else "" for s in model.suggest_many([(e.subject, e.detail) for e in test])]
    score = f1_score([e.label for e in test], predicted, average="macro")
    # Repeated 5-fold cross-validation gives 0.847 ± 0.032 (docs/triage.md); this split gives 0.856.
    assert score >= 0.80


def test_compiled_model_gives_scikit_learns_probabilities():
    examples = seed_examples()
    pipeline, trained_on = CategoryClassifier.fit_pipeline(
        examples, lexicon=lexicon(), extra=taxonomy_documents()
    )
    model = CategoryClassifier._from_pipeline(pipeline, trained_on)
    docs = [document(e.subject, e.detail) for e in examples[:120]] + [
        document("公交车", "EMS快递 app 5G网络")
    ]
    assert np.allclose(model.probabilities(docs), pipeline.predict_proba(docs), atol=1e-9)


def test_confidence_is_a_probability(seed_model):
    s = seed_model.suggest(
        "学校强制学生去工厂实习", "老师说不去实习就不能毕业，每天在流水线上工作十二个小时。"
    )
    assert s is not None and s.label == "教育文体"
    assert 0 < s.confidence <= 1
    proba = seed_model.probabilities([document("医院", "医保报销")])
    assert proba.sum() == pytest.approx(1.0)


@pytest.mark.parametrize(
    "subject, detail", [("", ""), ("   ", "\n\t "), ("？？？", "！！！……"), ("", "12345678")]
)
def test_no_suggestion_without_words(seed_model, subject, detail):
    assert seed_model.suggest(subject, detail) is None


def test_very_long_text_is_cut_not_refused(seed_model):
    body = "小区门口的道路施工围挡占用人行道，" * 20_000  # 340,000 characters
    s = seed_model.suggest("道路施工", body)
    assert s is not None and s.label in seed_model.labels
    assert len(document("道路施工", body)) < 2500


def test_mixed_scripts(seed_model):
    s = seed_model.suggest(
        "ＡＰＰ上办理社保卡 failed",
        "在“智慧人社”APP上申请社保卡，显示 error 😡，打 12333 也没人接。Ｈｅｌｌｏ？𠀀",
    )
    assert s is not None and s.label == "劳动和社会保障"
    assert seed_model.suggest_many([]) == []


def test_normalise_folds_typography_and_place_codes():
    assert normalise("Ａ３区　ＫＴＶ扰民，2019年") == "ktv扰民,0年"
    assert normalise("K9县坐公交车要2元？") == "坐公交车要0元?"


def test_a_batch_gives_what_one_at_a_time_gives(seed_model):
    pairs = [(e.subject, e.detail) for e in seed_examples()[:40]] + [("", "")]
    assert seed_model.suggest_many(pairs) == [seed_model.suggest(s, d) for s, d in pairs]


def test_store_and_load(seed_model, seed_blob):
    loaded = CategoryClassifier.loads(seed_blob)
    docs = [document(e.subject, e.detail) for e in seed_examples()[:50]]
    assert loaded.labels == seed_model.labels
    assert np.allclose(loaded.probabilities(docs), seed_model.probabilities(docs), atol=1e-6)
    assert len(seed_blob) < 3_000_000


@pytest.mark.parametrize("blob", [b"", b"not a model", b"PK\x03\x04broken"])
def test_a_damaged_model_is_refused(blob):
    with pytest.raises(ModelError):
        CategoryClassifier.loads(blob)


def test_a_model_from_another_format_is_refused(seed_model):
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array('{"format": 1}'))
    with pytest.raises(ModelError, match="older format"):
        CategoryClassifier.loads(buffer.getvalue())


def test_categories_with_too_few_examples_are_never_suggested():
    examples = seed_examples()
    rare = [Example("社区养老服务", "老人助餐点", "民政")] * (MIN_EXAMPLES - 1)
    model = CategoryClassifier.train(examples + rare, lexicon=lexicon(), extra=taxonomy_documents())
    assert "民政" not in model.labels
    with pytest.raises(ModelError):
        CategoryClassifier.train([Example("a", "b", "城乡建设")] * 20, lexicon=lexicon())


def test_read_messages_rejects_bad_files(tmp_path):
    missing = tmp_path / "missing.csv"
    with pytest.raises(DataError, match="Cannot open"):
        read_messages(missing)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("id,title,body\n1,a,b\n", encoding="utf-8")
    with pytest.raises(DataError, match="lacks the column"):
        read_messages(wrong)
    unlabelled = tmp_path / "unlabelled.csv"
    unlabelled.write_text(
        "id,user,subject,time,detail,category\n1,u,路灯不亮,2020,路灯坏了,\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match="row 2"):
        read_messages(unlabelled)


# The fast matcher must find exactly the words the training-time analyzer finds.
_WORDS = ["小区", "物业", "小区物业", "垃圾", "垃圾分类", "公交", "公交车", "噪音", "扰民", "𠀀𠀀"]
_ALPHABET = [*"小区物业垃圾分类公交车噪音扰民的了。 ,", "𠀀", "a", "p", "5"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=_ALPHABET, max_size=40), min_size=1, max_size=5))
def test_word_index_matches_the_analyzer(texts):
    vocabulary = {w: i for i, w in enumerate([*_WORDS, "app", "ap"])}
    analyzer = LexiconAnalyzer(set(vocabulary), LONGEST_WORD, latin={"app", "ap"})
    counts = WordIndex(vocabulary, range(2, LONGEST_WORD + 1)).counts(texts)
    for row, text in enumerate(texts):
        expected = Counter(vocabulary[w] for w in analyzer(text) if w in vocabulary)
        found = counts.getrow(row)
        assert dict(zip(found.indices.tolist(), found.data.astype(int).tolist(), strict=True)) == expected


def test_duplicate_vectors_are_scikit_learns():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from gongzhi.triage import duplicates

    docs = [document(e.subject, e.detail) for e in seed_examples()[:60]] + [
        document("ab  c", "EMS 快递，12123")
    ]
    fitted = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit(docs[:40])
    ours = duplicates.Vectoriser(fitted).transform(docs)
    assert abs(ours - fitted.transform(docs)).max() < 1e-12
