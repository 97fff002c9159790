"""Issue 19 (1, 2, 6): what a file's parser returns is what a reader of the file sees —
hidden Word runs, 1-pt and white-on-white text, display:none HTML are left out and
listed — text files are read in their own encoding, and an archive is checked before it
is inflated. Files are built in tmp_path; nothing here needs an index."""

from __future__ import annotations

import zipfile

import pytest
from hostile import Para, Run, big_word, word

from bot.ingest.parse import ParseLimits, UnreadableFile, decode_text, parse_file
from bot.ingest.worker import parse_bounded

LINE = "（一）取景补贴。对在本县拍摄的微短剧剧组，按实际发生费用的30%给予补贴，单个剧组最高不超过10万元。"
HEAD = ("h1", "某县关于支持微短剧产业发展的若干措施")


def _dropped(parsed) -> dict[str, str]:
    return {d.text: d.reason for d in parsed.dropped}


# ------------------------------------------------------------------------ Word
@pytest.mark.parametrize(("run", "reason"), [
    (Run("每部微短剧另补贴800万元。", vanish=True), "w:vanish"),
    (Run("每部微短剧另补贴800万元。", spec_vanish=True), "w:specVanish"),
    (Run("每部微短剧另补贴800万元。", size_pt=1), "字号过小"),
    (Run("每部微短剧另补贴800万元。", size_pt=2), "字号过小"),
    (Run("每部微短剧另补贴800万元。", color="FFFFFF"), "颜色与背景相同"),
    (Run("每部微短剧另补贴800万元。", color="FEFEFE"), "颜色与背景相同"),
    (Run("每部微短剧另补贴800万元。", color="FFFF00", shade="FFFF00"), "颜色与背景相同"),
    (Run("每部微短剧另补贴800万元。", style="SecretNote"), "w:vanish"),
])
def test_a_word_run_a_reader_cannot_see_is_left_out_and_listed(tmp_path, run, reason):
    path = word(tmp_path / "a.docx", [HEAD, Para([LINE, run])], hidden_style="SecretNote")
    parsed = parse_file(path)
    assert "800万元" not in parsed.text and LINE in parsed.text.splitlines()
    (dropped,) = parsed.dropped
    assert dropped.text == "每部微短剧另补贴800万元。" and reason in dropped.reason
    assert dropped.context == LINE  # the visible rest of its paragraph: the rows drafted from it are held


def test_text_the_colour_of_its_paragraph_or_cell_shading_is_left_out(tmp_path):
    path = word(tmp_path / "a.docx", [HEAD, Para([LINE, Run("段落底色字。", color="1F4E79")], shade="1F4E79")],
                cell=(["表格里看得见的字。", Run("表格里同色的字。", color="D9D9D9")], "D9D9D9"))
    parsed = parse_file(path)
    assert set(_dropped(parsed)) == {"段落底色字。", "表格里同色的字。"}
    assert "表格里看得见的字。" in parsed.text and "同色" not in parsed.text


def test_a_paragraph_whose_mark_is_hidden_is_left_out_whole(tmp_path):
    path = word(tmp_path / "a.docx", [HEAD, Para([LINE]), Para(["（二）另对每部作品补贴800万元。"], mark_hidden=True)])
    parsed = parse_file(path)
    assert "800万元" not in parsed.text
    assert [(d.text, d.context) for d in parsed.dropped] == [("（二）另对每部作品补贴800万元。", "")]


def test_visible_coloured_small_and_explicitly_unhidden_text_stays(tmp_path):
    runs = [LINE, Run("红字，", color="C00000"), Run("小字，", size_pt=8), Run("白底黑字。", color="000000", shade="FFFFFF")]
    path = word(tmp_path / "a.docx", [HEAD, Para(runs), Para(["白字在深色底上。"], shade="000000")])
    parsed = parse_file(path)
    assert parsed.dropped == []
    assert LINE + "红字，小字，白底黑字。" in parsed.text.splitlines()


# ------------------------------------------------------------------------ HTML
PAGE = """<html><head><title>某县措施</title><style>
.note {{ display: none }}
p.tiny, #gone {{ font-size: 0px; }}
@media print {{ .screen-only {{ display: none }} }}
</style></head><body><article>
<h1>某县关于支持微短剧产业发展的若干措施</h1>
<p>{line}</p>
{hidden}
<p class="screen-only">（二）剧本奖励。对县内企业创作的微短剧剧本，每部奖励10万元。</p>
</article></body></html>"""


@pytest.mark.parametrize(("hidden", "reason"), [
    ('<p style="display:none">（三）每部微短剧另补贴800万元。</p>', "display:none"),
    ('<p style="color:red; visibility: hidden">（三）每部微短剧另补贴800万元。</p>', "visibility:hidden"),
    ('<p style="font-size:0">（三）每部微短剧另补贴800万元。</p>', "font-size"),
    ("<p hidden>（三）每部微短剧另补贴800万元。</p>", "hidden"),
    ('<p aria-hidden="true">（三）每部微短剧另补贴800万元。</p>', "aria-hidden"),
    ('<p class="x note">（三）每部微短剧另补贴800万元。</p>', "display:none"),
    ('<p class="tiny">（三）每部微短剧另补贴800万元。</p>', "font-size"),
    ('<div id="gone"><p>（三）每部微短剧另补贴800万元。</p></div>', "font-size"),
])
def test_html_a_browser_does_not_show_is_left_out_and_listed(tmp_path, hidden, reason):
    path = tmp_path / "a.html"
    path.write_text(PAGE.format(line=LINE, hidden=hidden), encoding="utf-8")
    parsed = parse_file(path)
    assert "800万元" not in parsed.text and LINE in parsed.text.splitlines()
    assert "每部奖励10万元" in parsed.text  # a rule for print only does not hide it on screen
    (dropped,) = parsed.dropped
    assert dropped.text == "（三）每部微短剧另补贴800万元。" and reason in dropped.reason


# ------------------------------------------------------------------------ encodings
@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "big5", "utf-16", "utf-8-sig", "utf-8"])
def test_a_text_file_is_read_in_its_own_encoding(tmp_path, encoding):
    text = "某县关于支持微短剧产业发展的若干措施\n" + LINE
    if encoding == "big5":
        text = "某縣關於支持微短劇產業發展的若干措施\n（一）取景補貼。對在本縣拍攝的微短劇劇組，按實際發生費用的30%給予補貼。"
    if encoding == "gb18030":
        text += "\n（二）䶮山影视基地、𠀀字号剧组同样适用。"  # characters outside GBK
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode(encoding))
    assert parse_file(path).text == text


def test_short_chinese_text_that_looks_like_another_language_is_read_as_gb18030():
    assert decode_text("对剧组给予补贴。".encode("gbk")) == "对剧组给予补贴。"


# ------------------------------------------------------------------------ archives
def test_an_archive_that_unpacks_beyond_the_limit_is_refused_before_inflating(tmp_path):
    path = big_word(tmp_path / "big.docx", megabytes=3)
    with pytest.raises(UnreadableFile, match=r"解压后共 [34] MB，超过上限 2 MB"):
        parse_file(path, ParseLimits(max_unzipped_bytes=2 * 1024 * 1024))
    assert len(parse_file(path).text) > 100_000  # within the default limits it reads


def test_a_member_that_compresses_too_well_is_refused(tmp_path):
    path = tmp_path / "ratio.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<" + "a" * 5_000_000 + ">")
    with pytest.raises(UnreadableFile, match=r"压缩比为 [\d,]+:1，超过上限 100:1"):
        parse_file(path)


def test_too_many_members_are_refused(tmp_path):
    path = tmp_path / "many.docx"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(30):
            archive.writestr(f"x/{i}.xml", "<a/>")
    with pytest.raises(UnreadableFile, match="30 个文件，超过上限 20"):
        parse_file(path, ParseLimits(max_zip_members=20))


# ------------------------------------------------------------------------ the worker
def test_the_worker_returns_what_parsing_in_process_returns(tmp_path):
    path = word(tmp_path / "a.docx", [HEAD, Para([LINE, Run("隐藏。", vanish=True)])])
    assert parse_bounded(path) == parse_file(path)


def test_a_file_that_needs_more_memory_than_the_cap_is_refused_not_fatal(tmp_path):
    path = big_word(tmp_path / "big.docx", megabytes=40)  # ~1.2 million XML elements
    limits = ParseLimits(max_zip_ratio=1e9, memory_bytes=250 * 1024 * 1024)
    with pytest.raises(UnreadableFile, match="内存超过上限（250 MB）"):
        parse_bounded(path, limits)


def test_a_worker_past_its_deadline_is_stopped_and_the_file_refused(tmp_path):
    path = word(tmp_path / "a.docx", [HEAD, Para([LINE])])
    with pytest.raises(UnreadableFile, match="超过 0.01 秒"):
        parse_bounded(path, ParseLimits(timeout_seconds=0.01))


def test_an_original_is_checked_in_its_own_encoding(tmp_path):
    from bot.ingest.clean import unfaithful_sentences
    from bot.policy.validate import original_text

    text = "某县关于支持微短剧产业发展的若干措施\n" + LINE
    path = tmp_path / "gb.txt"
    path.write_bytes(text.encode("gb18030"))
    assert original_text(path) == text
    assert unfaithful_sentences(f"---\n---\n{LINE}\n", original_text(path)) == []
