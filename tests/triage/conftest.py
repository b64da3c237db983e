import pytest

from gongzhi.triage.classifier import CategoryClassifier
from gongzhi.triage.models import TriageModel
from gongzhi.triage.services import forget_loaded_model
from gongzhi.triage.training import lexicon, seed_examples, taxonomy_documents
from tests.appeals.conftest import file_appeal  # noqa: F401 - shared fixture


@pytest.fixture(scope="session")
def seed_model() -> CategoryClassifier:
    """The default model, trained once for the whole run (about 3 s)."""
    return CategoryClassifier.train(seed_examples(), lexicon=lexicon(), extra=taxonomy_documents())


@pytest.fixture(scope="session")
def seed_blob(seed_model) -> bytes:
    return seed_model.dumps()


@pytest.fixture
def active_model(db, seed_model, seed_blob):
    """The seed model stored and active, as after `gongzhi triage train`."""
    forget_loaded_model()
    row = TriageModel.objects.create(
        labels=seed_model.labels, trained_on=seed_model.meta["trained_on"], blob=seed_blob, is_active=True
    )
    yield row
    forget_loaded_model()


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    forget_loaded_model()
    yield
    forget_loaded_model()
