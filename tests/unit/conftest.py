"""Fixtures for the stage unit tests: a tiny knowledge directory built in a temporary
folder from the YAML and Markdown under ``tests/unit/knowledge/`` (plus the project's
own lexicon, copied as is: vocabulary is data), and the stages built on it.

No embedding model, no vector store, no index: hits are built from fixture clauses and
topic similarity uses fake vectors. Everything here loads in a few seconds (most of it
jieba's dictionary and the imports).

The fixture knowledge:

* 坪安 — a fictional district of 杭州市 (``within: 330100``), a 征求意见稿 of 8 clauses;
* 新乡 — 新乡市 (410700), a news report; one paragraph of it is about
* 澜湖 — a fictional zone of 新乡市 (``within: 410700``);
* 浙江 — 浙江省 (330000), a research article of 2 paragraphs.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.answer.caveats import Caveats
from bot.answer.declines import Declines
from bot.answer.draft import Bullets, Draft, Paragraph, Table
from bot.answer.evidence import TermWeights
from bot.answer.from_clauses import ClauseComposer
from bot.answer.from_sites import SiteComposer
from bot.answer.from_table import TableComposer
from bot.answer.intent import Understand
from bot.answer.templates import Templates
from bot.config import PROJECT_ROOT
from bot.index.text import ChineseTokenizer, load_stop_words
from bot.ingest.load import load_documents
from bot.ingest.split import split_all
from bot.models import Clause, PolicyDocument
from bot.policy.book import PolicyModel
from bot.retrieve.hybrid import Hit

FIXTURE_KNOWLEDGE = Path(__file__).parent / "knowledge"


def build_knowledge_dir(target: Path) -> Path:
    """Copy the fixture knowledge into ``target`` (with the project's lexicon)."""
    shutil.copytree(FIXTURE_KNOWLEDGE, target, dirs_exist_ok=True)
    shutil.copy(PROJECT_ROOT / "knowledge" / "lexicon.yaml", target / "lexicon.yaml")
    return target


@pytest.fixture(scope="session")
def knowledge_dir(tmp_path_factory) -> Path:
    return build_knowledge_dir(tmp_path_factory.mktemp("knowledge"))


@pytest.fixture(scope="session")
def documents(knowledge_dir) -> list[PolicyDocument]:
    return load_documents(knowledge_dir / "docs")


@pytest.fixture(scope="session")
def clauses(documents) -> list[Clause]:
    return split_all(documents)


@pytest.fixture(scope="session")
def tokenizer(knowledge_dir) -> ChineseTokenizer:
    return ChineseTokenizer(knowledge_dir / "terms.txt", load_stop_words(knowledge_dir / "lexicon.yaml"))


@pytest.fixture(scope="session")
def load_model(knowledge_dir, documents, clauses, tokenizer) -> Callable[[], PolicyModel]:
    """A fresh policy model (for tests that switch on a fake topic similarity)."""

    def load() -> PolicyModel:
        return PolicyModel.load(knowledge_dir, documents, clauses,
                                is_word=lambda w: tokenizer.general_frequency(w) > 0)

    return load


@pytest.fixture(scope="session")
def model(load_model) -> PolicyModel:
    return load_model()


@pytest.fixture(scope="session")
def weights(model, clauses, tokenizer) -> TermWeights:
    # As the service wires it: topics no measure covers are the "key topics".
    uncovered = {k: list(t.terms) for k, t in model.topics.topics.items()
                 if not model.measures_for(model.regions.keys, [k])}
    return TermWeights(clauses, tokenizer, model.lexicon, uncovered)


def make_understand(model: PolicyModel, weights: TermWeights) -> Understand:
    """The understanding stage wired as :class:`~bot.answer.service.PolicyBot` wires it."""
    return Understand(model, weights.correct_typos,
                      lambda text: weights.terms(text, set(model.regions.name_index)),
                      lambda word: word in weights.df)


@pytest.fixture(scope="session")
def understand(model, weights) -> Understand:
    return make_understand(model, weights)


@pytest.fixture(scope="session")
def understand_with(weights) -> Callable[[PolicyModel], Understand]:
    """The understanding stage over another model (e.g. one with fake topic embeddings)."""
    return lambda model: make_understand(model, weights)


@pytest.fixture(scope="session")
def templates() -> Templates:
    return Templates.load(PROJECT_ROOT / "prompts")


@pytest.fixture(scope="session")
def tables(model, templates, weights) -> TableComposer:
    return TableComposer(model, templates, weights)


@pytest.fixture(scope="session")
def sites(model, templates, weights) -> SiteComposer:
    return SiteComposer(model, templates, weights)


@pytest.fixture(scope="session")
def clause_composer(model, templates, weights) -> ClauseComposer:
    return ClauseComposer(model, templates, weights)


@pytest.fixture(scope="session")
def declines(model, templates) -> Declines:
    return Declines(model, templates)


@pytest.fixture(scope="session")
def caveats(model, templates) -> Caveats:
    return Caveats(model, templates)


@pytest.fixture(scope="session")
def hits(model) -> Callable[..., list[Hit]]:
    """``hits("pingan-draft:一(二)", …)``: retrieval results built from fixture clauses,
    best first, instead of searching an index."""

    def build(*clause_ids: str) -> list[Hit]:
        return [Hit(model.clause(cid), 1.0 / rank, rank, rank) for rank, cid in enumerate(clause_ids, 1)]

    return build


def _block_text(block: Paragraph | Bullets | Table) -> str:
    if isinstance(block, Paragraph):
        return "".join(span.text for span in block.spans)
    if isinstance(block, Bullets):
        return "\n".join([block.title or "", *(_block_text(item) for item in block.items)])
    return "\n".join([block.title or "", *("|".join(row.cells) for row in block.rows)])


@pytest.fixture(scope="session")
def text_of() -> Callable[[Draft], str]:
    """All the words of a draft (the verdicts that open it, blocks, then notes), without
    citation markers."""
    return lambda draft: "\n".join(_block_text(b) for b in [*(f.sentence for f in draft.subject_findings),
                                                             *draft.blocks, *draft.notes])
