"""Issue 20: a bureau's file as it really is. A PDF's running headers and wrapped lines,
a page's information table and chrome, the issuer and 文号 wherever a text states them,
places the gazetteer does not know (a 新区, a park, a new county), sites listed under a
heading that names filming places, readable document ids. Everything in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.ingest.chrome import strip_chrome
from bot.ingest.detect import OnboardingWords, detect
from bot.ingest.parse import ParsedFile, join_broken_lines, page_furniture
from bot.onboard.add import AddOptions, add_document
from bot.onboard.regions import RegionNotFound, place_chain
from bot.policy.regions import RegionBook

KNOWLEDGE = PROJECT_ROOT / "knowledge"


@pytest.fixture(scope="module")
def words() -> OnboardingWords:
    return OnboardingWords.load(KNOWLEDGE)


@pytest.fixture()
def knowledge(tmp_path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


# ------------------------------------------------------------------------- PDF
def test_running_headers_repeated_on_pages_are_furniture_not_body():
    pages = [["某市文广旅发〔2026〕17号", "某市支持微短剧若干措施", "一、支持对象", "— 1 —"],
             ["某市文广旅发〔2026〕17号", "（五）同一作品按就高原则", "给予支持。", "— 2 —"],
             ["某市文广旅发〔2026〕17号", "四、申报程序", "— 3 —"]]
    assert page_furniture(pages) == {"某市文广旅发〔2026〕17号"}
    assert page_furniture(pages[:1]) == set()  # one page: nothing repeats


def test_a_line_that_did_not_run_to_the_full_width_ends_its_paragraph():
    full = "为贯彻落实国家广播电视总局创作计划推动我市文化和旅游资源转化"  # a full line (30 wide)
    lines = [full, "为优质视听内容，现将措施印发给你们。", "某市文化广电旅游局", "关于印发《某市支持微短剧",
             "若干措施》的通知", "各区县文化广电旅游局：", *[full[:-1] + "。"] * 10]
    out = join_broken_lines(lines)
    assert out[0] == full + "为优质视听内容，现将措施印发给你们。"
    assert out[1] == "某市文化广电旅游局"  # a short line is a line of its own
    assert out[2] == "关于印发《某市支持微短剧若干措施》的通知"  # an open 《 continues
    assert out[3] == "各区县文化广电旅游局："


# ---------------------------------------------------------------- front matter
def _detect(words, lines, **hints):
    return detect(ParsedFile("\n".join(lines), "txt", dict(hints)), words)


def test_a_note_under_the_title_gives_issuer_date_and_number(words):
    found = _detect(words, ["某某影视产业园微短剧扶持办法（试行）",
                            "（2026年2月26日某某影视产业园管理委员会印发　某影园管发〔2026〕5号）",
                            "一、适用范围", "本办法适用于入驻企业。"])
    assert (found.issuer, found.date, found.doc_number) == ("某某影视产业园管理委员会", "2026-02-26", "某影园管发〔2026〕5号")


def test_the_printing_office_is_not_the_issuer_and_a_letterhead_is_not_the_title(words):
    found = _detect(words, ["某市文化广电旅游局文件", "某市文化广电旅游局关于印发《某市支持微短剧若干措施》的通知",
                            "某市支持微短剧若干措施", "一、支持对象", "本措施支持微短剧企业。",
                            "某市文化广电旅游局办公室", "2026年3月20日印发"])
    assert found.title == "某市支持微短剧若干措施"
    assert found.issuer == "某市文化广电旅游局"


def test_a_policy_interpretation_is_one_and_carries_the_number_of_the_text_it_explains(words):
    found = _detect(words, ["《某县支持微短剧若干措施（试行）》政策解读",
                            "近日，某县人民政府办公室印发《某县支持微短剧若干措施（试行）》（某政办发〔2026〕9号）。现解读如下。",
                            "一、出台背景是什么？", "为推动微短剧产业发展。"])
    assert (found.status.value, found.doc_number) == ("政策解读", "某政办发〔2026〕9号")
    cited = _detect(words, ["某县微短剧扶持资金申报指南", "为落实《某县若干措施》（某政办发〔2025〕3号），现通知如下。"])
    assert cited.doc_number == ""  # a text it only cites is not what its title is about


def test_a_question_and_answer_page_names_its_measures_by_what_they_grant(knowledge, tmp_path):
    """A 政策解读's "四、拍摄补贴的标准是多少？" names the measure under it 拍摄补贴; its
    background and how-to-apply answers draft nothing; a listed place's line states no measure."""
    text = ("《青岚县支持微短剧若干措施（试行）》政策解读\n为便于理解，现解读如下。青岚县隶属金华市。\n"
            "一、出台背景是什么？\n为推动微短剧产业发展，给予支持。\n"
            "二、拍摄补贴的标准是多少？\n对县内拍摄支出达到20万元以上的微短剧，按支出的30%给予补贴，单部最高25万元。\n"
            "三、企业落户有什么支持？\n新注册的微短剧企业，年度营业收入首次达到500万元的，给予一次性奖励5万元。\n"
            "四、有哪些可以取景的地方？\n首批拍摄场景有2处：\n"
            "老街取景点：位于老城内，已开放。\n小火车沿线取景点：需与运营单位协商，不纳入免费开放范围。\n"
            "五、如何申请奖补？\n每年1月1日至15日受理申请，给予审核。\n")
    report = _add(knowledge, tmp_path, "jiedu.txt", text, parent="金华市")
    assert report.document.status.value == "政策解读"
    titles = {m.clause_id.split(":")[1]: m.title for m in report.drafted.measures}
    assert titles == {"二": "拍摄补贴", "三": "企业落户支持"}
    assert {s.name for s in report.drafted.sites} == {"老街取景点", "小火车沿线取景点"}


def test_a_share_in_words_is_a_typed_threshold_and_an_exception_to_the_applicants_is_kept(knowledge, tmp_path):
    """"拍摄天数达到总拍摄天数三分之二以上" is the share condition, as written, and judged as 67%;
    "拍摄补贴不限申请主体注册地" keeps the 适用对象's registration rule off the filming measures."""
    from bot.policy.eligibility import Judge, ProducerProfile
    from bot.policy.lexicon import Lexicon

    text = ("青岚县支持微短剧若干措施\n为落实浙江省、金华市部署，我县制定本措施。\n一、适用对象\n"
            "在青岚县注册登记的微短剧企业。其中，拍摄补贴不限申请主体注册地，县外企业同样可以申请。\n"
            "二、拍摄补贴\n对县内拍摄天数达到总拍摄天数三分之二以上的微短剧，按支出的30%给予补贴，单部最高25万元。\n")
    report = _add(knowledge, tmp_path, "share.txt", text)
    row = next(m for m in report.drafted.measures if m.clause_id.endswith(":二"))
    share = next(c for c in row.conditions if c.type == "shoot_share_min")
    assert share.value == "三分之二" and not any(c.type == "registered_in_region" for c in row.conditions)
    judge = Judge(Lexicon.load(knowledge / "lexicon.yaml").profile)
    for percent, met in ((60, False), (70, True)):
        assert judge.judge(share, row, ProducerProfile(regions=[row.region], shoot_share=percent))[0] is met


def test_a_page_that_goes_on_after_the_signature_is_still_the_signed_text_and_its_cards_are_sites(knowledge, tmp_path):
    """A 公众号 page: a report's lead ("近日，…"), the text signed by its office and dated, then
    places shown as cards (an emoji, the name on its own line, "📌位于…", "✅状态：…")."""
    text = ("青岚县支持微短剧发展办法\n近日，青岚县文化和旅游局印发本办法，全文如下。\n第一条 为落实浙江省、金华市部署，我县制定本办法。\n"
            "第二条 对在青岚县拍摄的微短剧，按实际发生费用的30%给予补贴，最高10万元。\n"
            "青岚县文化和旅游局\n2026年7月8日\n📍青岚拍摄地推荐｜首批重点拍摄场景（3处）\n"
            "🏮青岚骑楼古街\n📌位于城关镇，保留连片骑楼。\n✅状态：已开放（夜间拍摄需提前3个工作日登记）\n"
            "🐟青岚渔村\n📌位于海湾镇，保留棚屋和渔排。\n🎬适拍：渔村、悬疑题材\n"
            "🏢青岚数字影棚\n📌位于新区，规划建设2个影棚。\n⚠️状态：在建，预计2027年6月投入使用\n")
    report = _add(knowledge, tmp_path, "page.txt", text)
    d = report.document
    assert (d.status.value, d.issuer, d.date) == ("正式文件", "青岚县文化和旅游局", "2026-07-08")
    assert {s.name: s.status.value for s in report.drafted.sites} == {
        "青岚骑楼古街": "建成", "青岚渔村": "未说明", "青岚数字影棚": "在建"}


def test_the_date_is_the_one_signed_under_the_text_not_the_printing_offices(words):
    found = _detect(words, ["某园区2026年度微短剧扶持资金申报指南", "一、申报对象", "园区内企业。",
                            "某园区管理委员会", "2026年6月10日", "抄送：某区人民政府。",
                            "某园区党政办公室　　2026年6月11日印发"])
    assert found.date == "2026-06-10"


def test_a_cited_number_is_not_the_texts_own_but_a_running_header_is(words):
    lines = ["某市微短剧扶持资金申报指南", "为贯彻落实《某市若干政策》（某政办发〔2025〕21号），现通知如下。", "一、申报主体"]
    assert _detect(words, lines).doc_number == ""
    assert _detect(words, lines, furniture="某文旅发〔2026〕15号").doc_number == "某文旅发〔2026〕15号"


# ------------------------------------------------------------------ page chrome
def test_a_pages_information_table_becomes_hints_and_its_chrome_is_dropped(words):
    text = "\n".join([
        "某新区出台微短剧拍摄扶持十条", "| 索引号： | 1152/2026-00088 | 信息分类： | 新区要闻 |",
        "| 发布机构： | 某某新区管理委员会 | 生成日期： | 2026-05-14 |", "| 文号： | 无 | 主题词： | 微短剧 |",
        "拍摄补贴方面，按拍摄支出的25%给予补贴。", "图为某剧组在老街外景地拍摄古装微短剧。（记者林晓摄）",
        "（记者林晓 通讯员周蓉）", "责任编辑：黄思远  审核：韦立诚", "阅读原文", "在看", "1.2万", "微信扫一扫关注该公众号",
        "相关新闻", "某县举办微短剧大赛"])
    parsed = strip_chrome(ParsedFile(text, "html"), words.chrome)
    assert parsed.text.splitlines() == ["某新区出台微短剧拍摄扶持十条", "拍摄补贴方面，按拍摄支出的25%给予补贴。"]
    assert parsed.hints == {"index": "1152/2026-00088", "category": "新区要闻", "publisher": "某某新区管理委员会",
                            "date": "2026-05-14", "keywords": "微短剧"}  # 文号：无 is no 文号
    assert "某县举办微短剧大赛" in parsed.chrome


def test_a_sentence_is_never_chrome(words):
    text = "记者从新区管委会获悉，剧组拍摄可获补贴。\n分享经验的剧组按实际发生费用的30%给予补贴。"
    assert strip_chrome(ParsedFile(text, "html"), words.chrome).text == text


# ----------------------------------------------------------------------- places
@pytest.mark.parametrize(("text", "chain"), [
    ("浙江省衢州市衢江区关于支持微短剧的意见", ["浙江省", "衢州市", "衢江区"]),
    ("安顺市云峰新区管理委员会", ["安顺市", "云峰新区"]),
    ("银川贺兰山影视文化产业园微短剧产业扶持办法", ["银川", "贺兰山影视文化产业园"]),
    ("银川市西夏区镇北堡镇，规划面积", ["银川市", "西夏区", "镇北堡镇"]),
    ("# 关于印发《望城区支持微短剧产业发展若干政策》", ["望城区"]),
    ("各街道办事处、乡镇人民政府", []),  # a reference to places, not a place
    ("关于促进微短剧产业高质量发展的若干措施", []),
])
def test_a_text_starts_with_a_chain_of_places(text, chain):
    assert place_chain(text) == chain


def _add(knowledge: Path, tmp_path: Path, name: str, text: str, **options):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return add_document(path, knowledge, AddOptions(**options))


NEW_ZONE = """云峰新区支持微短剧拍摄制作十条措施
为吸引剧组来安顺市云峰新区取景拍摄，制定本措施。
一、拍摄补贴
对在新区内拍摄天数占总拍摄天数40%以上的微短剧，按拍摄支出的25%给予补贴，单部作品最高40万元。
"""


def test_a_zone_the_gazetteer_does_not_know_is_registered_as_itself_inside_its_city(knowledge, tmp_path):
    report = _add(knowledge, tmp_path, "zone.txt", NEW_ZONE)
    assert report.document.id == "yunfeng-xinqu-policy"
    assert report.region.names[0] == "云峰新区"
    book = RegionBook.load(knowledge / "regions.yaml")
    key, _ = book.name_index["云峰新区"]
    zone = book.regions[key]
    assert (zone.within, zone.level.value) == ("520400", "zone")  # inside 安顺市, never 安顺市 itself
    assert book.scope(key)[0] == key and "安顺" not in book.regions  # the city is not made covered


def test_a_new_county_takes_its_city_from_parent_or_says_what_to_add(knowledge, tmp_path):
    text = "青岚县微短剧扶持措施\n一、拍摄补贴\n对在青岚县拍摄的微短剧，按实际发生费用的30%给予补贴，最高10万元。\n"
    with pytest.raises(RegionNotFound, match="--parent"):
        _add(knowledge, tmp_path, "county.txt", text)
    report = _add(knowledge, tmp_path, "county.txt", text, parent="金华市")
    assert report.region.region == {"province": "浙江省", "city": "金华市", "district": "青岚县"}
    assert report.region.entry["within"] == "330700"


def test_a_county_named_with_its_province_and_city_is_the_county(knowledge, tmp_path):
    text = "青岚县微短剧扶持措施\n为落实浙江省、金华市支持微短剧发展的部署，我县制定本措施。\n一、拍摄补贴\n按费用的30%给予补贴。\n"
    report = _add(knowledge, tmp_path, "county.txt", text)
    assert report.region.names[0] == "青岚县" and report.region.entry["within"].startswith("3307")


def test_sites_listed_under_a_heading_that_names_filming_places(knowledge, tmp_path):
    text = ("某某产业园微短剧扶持办法\n为加快发展，制定本办法。园区位于银川市西夏区。\n一、扶持措施\n"
            "（一）拍摄补贴。按场地租赁费用的30%给予补贴，单部最高20万元。\n二、园区摄影棚及外景地\n"
            "1.一号摄影棚：面积2000平方米，已置景现代场景，已投入使用。\n"
            "2.西夏古街：占地约1.2万平方米，适合古装题材，在建。\n")
    report = _add(knowledge, tmp_path, "park.txt", text)
    sites = {s.name: s.status.value for s in report.drafted.sites}
    assert sites == {"一号摄影棚": "建成", "西夏古街": "在建"}
    assert [m.clause_id.split(":")[1] for m in report.drafted.measures] == ["一(一)"]


def test_a_list_announced_by_a_paragraph_belongs_to_it(knowledge, tmp_path):
    text = ("云峰新区发布取景点位\n记者从安顺市云峰新区管委会获悉，新区出台扶持措施。\n"
            "新区梳理发布了首批2处微短剧取景拍摄点位：\n一是云峰影视棚群，共有4个标准影棚，已投入使用；\n"
            "二是屯堡老街外景地，适合古装题材拍摄，正在建设中。\n据了解，今年已有37个剧组来拍摄。\n")
    report = _add(knowledge, tmp_path, "news.txt", text)
    labels = [c.label for c in report.clauses]
    assert labels[-4:] == ["段2", "段2(一是)", "段2(二是)", "段3"]  # the list ends where prose resumes
    assert {s.name: s.status.value for s in report.drafted.sites} == {"云峰影视棚群": "建成", "屯堡老街外景地": "在建"}


def test_a_topic_label_grants_nothing_and_the_next_sentence_holds_the_conditions(knowledge, tmp_path):
    text = ("云峰新区出台微短剧拍摄扶持措施\n为吸引剧组来安顺市云峰新区拍摄，新区出台措施。\n"
            "拍摄补贴方面，对在新区内拍摄天数占总拍摄天数40%以上的微短剧，按拍摄支出的25%给予补贴，单部作品最高可获40万元补贴。"
            "申请该项补贴的作品须已完成备案，并在开机前办理拍摄报备。\n")
    (row,) = _add(knowledge, tmp_path, "news.txt", text).drafted.measures
    assert row.title == "拍摄补贴"
    assert row.benefit.cap == "单部作品最高可获40万元补贴"
    kinds = {(c.type, c.text) for c in row.conditions}
    assert ("shoot_share_min", "对在新区内拍摄天数占总拍摄天数40%以上的微短剧") in kinds
    assert ("free_text", "并在开机前办理拍摄报备") in kinds
    assert row.quote.rstrip("。").endswith("并在开机前办理拍摄报备")  # the conditions are in the quote


def test_a_short_name_the_text_defines_for_its_park_is_one_of_its_names(knowledge, tmp_path):
    text = ("银川贺兰山影视文化产业园微短剧产业扶持办法\n把银川贺兰山影视文化产业园（以下简称园区）建设成为制作基地。"
            "园区位于银川市西夏区镇北堡镇。\n一、拍摄补贴\n按场地租赁费用的30%给予补贴，单部最高20万元。\n")
    report = _add(knowledge, tmp_path, "park.txt", text)
    assert report.region.names == ["银川贺兰山影视文化产业园", "贺兰山影视文化产业园", "园区"]
    assert report.region.entry["within"] == "640105"  # 西夏区, as the text places it
    assert report.document.id == "yinchuanhelan-chanyeyuan-policy"


# ----------------------------------------------------------- tables, Markdown, 公众号
def test_a_table_with_a_header_is_read_row_by_row_with_each_cell_named():
    from bot.ingest.tables import markdown_tables

    lines = ["表1 播放量奖励标准", "| 档次 | 累计播放量 | 奖励金额 |", "|---|---|---|", "| 一档 | 1亿次（含）以上 | 5万元 |",
             "| 二档 | 5亿次（含）以上 | 15万元 |", "后文"]
    assert markdown_tables(lines) == ["表1 播放量奖励标准", "档次：一档，累计播放量：1亿次（含）以上，奖励金额：5万元。",
                                      "档次：二档，累计播放量：5亿次（含）以上，奖励金额：15万元。", "后文"]
    assert markdown_tables(["| 发文机关 | 某县人民政府 |"]) == ["发文机关，某县人民政府"]  # no header: cells in order
    # the unit in the header: a bare number under it reads with it; a cell that states its own unit is kept
    unit = ["| 档次 | 年度营业收入 | 奖励金额（万元） |", "|---|---|---|", "| 一档 | 2000万元（含）至5000万元 | 10 |",
            "| 二档 | 1亿元以上 | 另议 |"]
    assert markdown_tables(unit) == ["档次：一档，年度营业收入：2000万元（含）至5000万元，奖励金额：10万元。",
                                     "档次：二档，年度营业收入：1亿元以上，奖励金额（万元）：另议。"]


def test_tiers_in_a_word_table_become_measure_rows_with_their_amounts(knowledge, tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("某县微短剧扶持办法")
    document.add_paragraph("一、扶持措施")
    document.add_paragraph("（一）播放量奖励。对在本县拍摄的微短剧，按下表给予奖励：")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([("档次", "累计播放量", "奖励金额"), ("一档", "1亿次（含）以上", "5万元"),
                             ("二档", "10亿次（含）以上", "30万元")]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    path = tmp_path / "tiers.docx"
    document.save(str(path))
    report = add_document(path, knowledge, AddOptions(region="黟县"))
    amounts = sorted(m.benefit.amount for m in report.drafted.measures)
    assert amounts == ["奖励金额：30万元", "奖励金额：5万元"]
    assert all("档次" not in m.benefit.amount for m in report.drafted.measures)  # never the header as a row


def test_a_markdown_exports_front_matter_is_metadata_and_its_numbered_headings_are_clauses(words, tmp_path):
    from bot.ingest.parse import parse_file

    path = tmp_path / "a.md"
    path.write_text("---\ntitle: 某县微短剧扶持办法\n文号: 某政办〔2026〕3号\n日期: 2026-04-01\n---\n# 某县微短剧扶持办法\n\n"
                    "## 一、扶持措施\n\n（一）播放量奖励。达到10亿次[^1]的，奖励30万元。\n\n[^1]: 以平台后台数据为准。\n",
                    encoding="utf-8")
    parsed = strip_chrome(parse_file(path), words.chrome)
    assert parsed.text.splitlines() == ["某县微短剧扶持办法", "一、扶持措施", "（一）播放量奖励。达到10亿次（注：以平台后台数据为准）的，奖励30万元。"]
    found = detect(parsed, words)
    assert (found.title, found.doc_number, found.date) == ("某县微短剧扶持办法", "某政办〔2026〕3号", "2026-04-01")


WECHAT = """<html><head><meta property="og:title" content="某县出台微短剧扶持十条"></head><body>
<h1 id="activity-name">某县出台微短剧扶持十条</h1><div class="rich_media_meta_list"><a id="js_name">某县文旅</a>
<em id="publish_time">2026-05-20 18:30</em></div><div id="js_content"><section>
<p><span>近日，某县印发《某县支持微短剧发展十条措施》。</span></p>
<p><span>一、拍摄补贴。按实际发生费用的</span><span style="color:red"><strong>30%</strong></span><span>给予补贴，单部最高</span><span style="color:red">20万元</span><span>。</span></p>
<p><span>▲某影视基地（图源：某县融媒体中心）</span></p></section><p>预览时标签不可点</p></div>
<div><p>微信扫一扫<br>关注该公众号</p></div><div><a>阅读原文</a><span>阅读 1.2万</span><span>在看</span></div>
<div><p>精选留言</p><p>网友A：太好了，我们要去拍！</p></div></body></html>"""


def test_a_wechat_article_keeps_its_text_whole_and_drops_the_accounts_chrome(words, tmp_path):
    from bot.ingest.parse import parse_file

    path = tmp_path / "wechat.html"
    path.write_text(WECHAT, encoding="utf-8")
    parsed = strip_chrome(parse_file(path), words.chrome)
    assert parsed.text.splitlines() == ["某县出台微短剧扶持十条", "近日，某县印发《某县支持微短剧发展十条措施》。",
                                        "一、拍摄补贴。按实际发生费用的30%给予补贴，单部最高20万元。"]
    found = detect(parsed, words)
    assert (found.issuer, found.date, found.status.value) == ("某县文旅", "2026-05-20", "新闻报道")


def test_a_recommended_box_above_the_article_never_cuts_the_text(words):
    text = "\n".join(["某县出台微短剧扶持十条", "推荐阅读", "某县文旅局：拍摄补贴按实际发生费用的30%给予补贴。",
                      "摄影棚群，位于文创园内，已投入使用。", "二、住宿补贴。剧组在县内住宿的，每间每晚补贴50元。",
                      "三、交通补贴。剧组往返交通费用按50%给予补贴，最高2万元。"])
    parsed = strip_chrome(ParsedFile(text, "html"), words.chrome)
    assert parsed.chrome == ["推荐阅读"]  # a box of links above the text is chrome, the text stays whole
    assert "摄影棚群，位于文创园内，已投入使用。" in parsed.text  # a sentence naming a studio is no byline


def test_the_items_of_a_list_a_sentence_announces_are_sites_whatever_each_is_called(knowledge, tmp_path):
    """"本项所称园区拍摄场地包括：" then numbered items (split off as clauses of their own)
    whose names carry no site word (街景区, 实景楼); and a web page's list that lost its
    bullets ("某某取景点：位于…", one per line)."""
    text = ("某园区微短剧扶持办法\n为加快发展，制定本办法。园区位于银川市西夏区。\n一、扶持措施\n"
            "（一）拍摄补贴。按场地租赁费用的15%给予补贴，最高不超过20万元。本项所称园区拍摄场地包括：\n"
            "1.民国街景区：占地约1.5万平方米，适合年代题材拍摄，已建成开放。\n"
            "2.创意办公实景楼：可提供写字楼大堂、天台等都市实景，工作日18时后可供拍摄。\n"
            "（二）住宿补贴。剧组入住园区公寓的，按房费的50%给予补贴。\n"
            "二、可以取景的地方\n首批纳入目录的拍摄场景有2处：\n"
            "老城民居院落取景点：位于老城内，适合古装题材，已开放。\n"
            "河湾湿地外景地：位于河湾沿岸，计划2026年10月开放。\n")
    report = _add(knowledge, tmp_path, "park.txt", text)
    assert {s.name: s.status.value for s in report.drafted.sites} == {
        "民国街景区": "建成", "创意办公实景楼": "未说明", "老城民居院落取景点": "建成", "河湾湿地外景地": "在建"}
    assert not any("住宿" in s.name or "目录" in s.name for s in report.drafted.sites)


def test_a_list_of_bare_site_names_drafts_each_as_a_site(knowledge, tmp_path):
    text = ("某县微短剧扶持措施\n为吸引剧组，制定本措施。\n一、扶持措施\n（一）拍摄补贴。按实际发生费用的30%给予补贴，最高10万元。\n"
            "二、重点拍摄基地\n1.青岚古镇影视基地\n2.青岚湖外景地\n")
    report = _add(knowledge, tmp_path, "sites.txt", text, parent="金华市")
    assert {s.name for s in report.drafted.sites} == {"青岚古镇影视基地", "青岚湖外景地"}
    assert all("重点拍摄基地" not in s.name for s in report.drafted.sites)  # the section heading is not a site


def test_a_wechat_body_hidden_until_its_script_runs_is_the_text_but_hidden_lines_inside_stay_out(words, tmp_path):
    from bot.ingest.parse import parse_file

    body = "".join(f"<p><span>（{n}）拍摄补贴。对在本县拍摄的微短剧，按实际发生费用的30%给予补贴，单部最高20万元。</span></p>"
                   for n in "一二三四五")
    page = (f'<html><body><h1 id="activity-name">某县出台微短剧扶持措施</h1><a id="js_name">某县文旅</a>'
            f'<div id="js_content" style="visibility: hidden;">{body}'
            f'<p style="display:none">（六）每部微短剧另补贴800万元。</p></div></body></html>')
    path = tmp_path / "wechat.html"
    path.write_text(page, encoding="utf-8")
    parsed = parse_file(path)
    assert parsed.text.count("单部最高20万元") == 5
    assert "800万元" not in parsed.text and [d.reason for d in parsed.dropped] == ["display:none"]


def test_a_page_that_republishes_a_text_is_that_text_and_its_preface_drafts_nothing(knowledge, tmp_path):
    text = ("重磅！某县出台微短剧十条，最高补助100万元！\n"
            "近日，青岚县文化广电和旅游局印发《青岚县支持微短剧发展措施（试行）》（青文旅〔2026〕8号），欢迎来拍！\n"
            "划重点\n拍摄补贴：按实际拍摄支出的20%补贴，单部最高30万元\n以下为文件全文\n"
            "青岚县支持微短剧发展措施（试行）\n一、拍摄补贴\n对在青岚县拍摄的微短剧，按实际拍摄支出的20%给予补贴，单部作品最高30万元。\n")
    report = _add(knowledge, tmp_path, "page.txt", text, parent="金华市")
    assert report.document.title == "青岚县支持微短剧发展措施（试行）"  # the text, not the page's headline
    assert report.document.doc_number == "青文旅〔2026〕8号"  # cited right after its own title: its own
    assert [m.clause_id.split(":")[1] for m in report.drafted.measures] == ["一"]  # the 划重点 summary is no measure
    assert report.clauses[0].label == "导读"


def test_a_table_of_filming_places_drafts_each_row_as_a_site(knowledge, tmp_path):
    path = tmp_path / "sites.md"
    path.write_text("# 青岚县支持微短剧拍摄若干措施\n\n## 一、拍摄补贴\n\n对在青岚县拍摄的微短剧，按实际发生费用的30%给予补贴，"
                    "最高10万元。\n\n## 二、重点取景地\n\n| 取景地名称 | 类型 | 适合题材 | 状态 |\n|---|---|---|---|\n"
                    "| 青岚古镇 | 古镇 | 古装 | 已建成开放 |\n| 青岚湖外景地 | 外景 | 都市、乡村 | 在建 |\n", encoding="utf-8")
    report = add_document(path, knowledge, AddOptions(parent="金华市"))
    assert {s.name: s.status.value for s in report.drafted.sites} == {"青岚古镇": "建成", "青岚湖外景地": "在建"}
    assert all(s.quote.startswith("取景地名称：") for s in report.drafted.sites)  # the row as the text states it
