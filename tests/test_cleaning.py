"""The cleaned copies keep the originals' wording (issue 3: cleaning fidelity)."""

from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.ingest.clean import normalize_for_match, tidy_spacing, undouble_line, unfaithful_sentences
from bot.ingest.load import load_documents
from bot.models import DocStatus
from bot.policy.validate import original_text

DOCS = PROJECT_ROOT / "knowledge" / "docs"
ORIGINALS = PROJECT_ROOT / "knowledge" / "originals"
SHARED = PROJECT_ROOT.parent / "shared" / "sources"


_pairs = [pytest.param(DOCS / f"{doc.id}.md", ORIGINALS / doc.source, id=doc.id) for doc in load_documents(DOCS)]


@pytest.mark.parametrize(("cleaned", "original"), _pairs)
def test_every_cleaned_sentence_is_in_its_original(cleaned: Path, original: Path):
    # a .docx / .pdf / .html original is compared through its parser (bot validate does the same)
    assert unfaithful_sentences(cleaned.read_text(encoding="utf-8"), original_text(original)) == []


@pytest.mark.parametrize(("cleaned", "original"), _pairs)
def test_cleaning_drops_nothing_but_furniture(cleaned: Path, original: Path):
    """At least 97% of the original's characters survive (captions and bylines are tiny)."""
    from bot.ingest.clean import body_of

    kept = len(normalize_for_match(body_of(cleaned.read_text(encoding="utf-8"))))
    source = len(normalize_for_match(original_text(original)))
    assert kept >= 0.97 * source


def test_a_changed_word_is_caught():
    original = "对首次达到规模以上的影视企业，给予一次性奖励。"
    cleaned = "---\nid: x\n---\n对首次达到规模以上的影视企业，给予五万元奖励。"
    assert unfaithful_sentences(cleaned, original) == ["对首次达到规模以上的影视企业，给予五万元奖励。"]


def test_a_sentence_cut_by_the_layout_may_be_rejoined_but_not_invented():
    original = "打造“产业园—拍摄基地—取景\n……其他栏目……\n地”三级空间体系等。"
    assert unfaithful_sentences("打造“产业园—拍摄基地—取景地”三级空间体系等。", original) == []
    assert unfaithful_sentences("打造“产业园—拍摄基地—取景地”四级空间体系等。", original) != []


def test_ocr_doubling_is_undone_only_on_fully_doubled_lines():
    assert undouble_line("到到20272027年年，，全市微短剧市场规模将达全市微短剧市场规模将达100100亿元亿元") == (
        "到2027年，全市微短剧市场规模将达100亿元"
    )
    assert undouble_line("全市微短剧市场规模达100亿元") == "全市微短剧市场规模达100亿元"


def test_layout_spaces_are_removed_inside_numbers_and_chinese():
    assert tidy_spacing("积极培育出至少 1个5000平方米 的 基 地，2025 年") == "积极培育出至少1个5000平方米的基地，2025年"


def test_project_originals_match_the_shared_sources():
    if not SHARED.exists():
        pytest.skip("../shared/sources not beside the checkout")
    for path in SHARED.glob("*.txt"):
        if (ORIGINALS / path.name).exists():  # a bureau may have removed one with `bot docs remove`
            assert (ORIGINALS / path.name).read_bytes() == path.read_bytes()


def test_front_matter_has_the_required_fields():
    for doc in load_documents(DOCS):
        assert doc.id and doc.title and doc.issuer and doc.date and doc.validity
        assert doc.status in set(DocStatus)
        assert (ORIGINALS / doc.source).exists()
    statuses = {d.id: d.status for d in load_documents(DOCS)}
    assert statuses["pingyuan-draft"] == "征求意见稿"
