"""The topic taxonomy (topics.yaml): exact terms first (longest wins, weak terms only
suggest, ASCII terms only as words), then similarity to the topic descriptions — with
fake, deterministic embeddings here — taken only when one topic stands out by a margin."""

from __future__ import annotations

import numpy as np
import pytest

from bot.errors import KnowledgeError
from bot.policy.topics import TopicBook


@pytest.fixture()
def book(knowledge_dir) -> TopicBook:
    return TopicBook.load(knowledge_dir / "topics.yaml")


def test_the_longest_term_wins(book):
    assert book.match("拍摄基地有补贴吗？").strong == ("拍摄基地",)  # not 取景拍摄 (拍摄) + 基地
    assert book.match("有人才公寓吗？").strong == ("住宿",)  # not 人才


def test_topics_come_in_order_of_appearance(book):
    assert book.match("住宿和取景有什么补贴？").strong == ("住宿", "取景拍摄")


def test_a_weak_term_only_suggests_its_topic(book):
    found = book.match("拍一部剧补多少？")
    assert (found.strong, found.weak) == ((), ("取景拍摄",))


def test_a_weak_suggestion_is_dropped_when_the_topic_is_named(book):
    found = book.match("拍戏取景有补贴吗？")
    assert (found.strong, found.weak) == (("取景拍摄",), ())


@pytest.mark.parametrize(("text", "topics"), [
    ("用AI做短剧有补贴吗？", ("研发",)),
    ("Is there support for AI?", ("研发",)),
    ("She said it is fine.", ()),  # "ai" inside "said" is not the term AI
    ("Any tax relief?", ("税收",)),
    ("Taxis for the crew?", ()),
])
def test_ascii_terms_match_only_as_words(book, text, topics):
    assert book.match(text).strong == topics


def test_terms_in_lists_the_strong_terms_a_text_uses(book):
    assert book.terms_in("在坪安取景，住宿怎么安排？") == ["取景", "住宿"]


def test_a_malformed_taxonomy_is_a_knowledge_error(tmp_path):
    path = tmp_path / "topics.yaml"
    path.write_text("剧本:\n  terms: [剧本]\n", encoding="utf-8")  # no name, no description
    with pytest.raises(KnowledgeError, match="taxonomy"):
        TopicBook.load(path)


# ----------------------------------------------------------------- similarity (fake embeddings)

class FakeEmbeddings:
    """Each topic description is a unit vector of its own; a query points at the topics
    whose cue words it contains (and at nothing in particular otherwise)."""

    def __init__(self, book: TopicBook, cues: dict[str, list[str]]) -> None:
        self.keys = list(book.topics)
        self.names = {book.topics[k].name: k for k in self.keys}
        self.cues = cues

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = []
        for text in texts:
            key = self.names[text.split("：")[0]]
            vectors.append(np.eye(len(self.keys))[self.keys.index(key)].tolist())
        return vectors

    def embed_query(self, text: str) -> list[float]:
        vector = np.full(len(self.keys), 0.1)
        for key, words in self.cues.items():
            vector[self.keys.index(key)] += sum(1.0 for w in words if w in text)
        return vector.tolist()


@pytest.fixture()
def similar_book(book) -> TopicBook:
    fake = FakeEmbeddings(book, {"金融": ["周转", "缺钱"], "住宿": ["睡觉"]})
    book.use_embeddings(fake.embed_query, fake.embed_documents)
    return book


def test_similarity_is_off_until_embeddings_are_given(book):
    assert book.similar("公司周转困难", margin=0.02) is None


def test_wording_no_term_list_has_is_mapped_by_similarity(similar_book):
    assert similar_book.similar("公司周转困难怎么办", margin=0.02) == "金融"


def test_no_topic_is_taken_when_none_stands_out_by_the_margin(similar_book):
    assert similar_book.similar("公司周转困难，晚上没地方睡觉", margin=0.02) is None  # a tie
    assert similar_book.similar("随便问问", margin=0.02) is None


def test_similarity_can_be_restricted_to_allowed_topics(similar_book):
    both = "公司周转困难，晚上没地方睡觉"
    assert similar_book.similar(both, margin=0.02, allowed=["住宿", "剧本"]) == "住宿"


def test_embeddings_that_fail_leave_exact_terms_working(book):
    def broken(_texts):
        raise RuntimeError("no model")

    book.use_embeddings(lambda _t: [0.0], broken)
    assert book.similar("公司周转困难", margin=0.02) is None
    assert book.match("有住宿吗？").strong == ("住宿",)
