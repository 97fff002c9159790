"""Answers about documents the project never shipped, onboarded with `bot add` only: a
county's 若干措施（试行） (.docx) and a city's 申报指南 (a saved .html page) from
evals/onboarding. These check mechanisms, not wording: a document's own header and
signature, whole sections asked for by name, a procedure, the rules on adding support up,
a company registered elsewhere, thresholds drafted as conditions to confirm."""

from __future__ import annotations

import re
import shutil

import pytest

from bot.config import PROJECT_ROOT, Settings
from bot.policy.eligibility import ProducerProfile
from bot.policy.eligibility import Verdict as Eligibility

pytestmark = pytest.mark.slow  # builds a bot over the shipped index plus two documents

ONBOARDING = PROJECT_ROOT / "evals" / "onboarding"
PARK = """青松影视文化产业园微短剧扶持办法（试行）
（2026年2月26日青松影视文化产业园管理委员会印发　青影园管发〔2026〕5号）
把青松影视文化产业园（以下简称园区）建设成为微短剧制作基地。园区位于银川市西夏区。
一、扶持措施
（一）办公用房补贴
入驻企业租用园区孵化楼办公用房的，面积300平方米以内部分，前2年免收租金，第3年租金减半收取。
（二）摄影棚租赁优惠
入驻企业租用园区摄影棚的，按园区公布价格的6折收取；园外剧组按8折收取。
"""
YUEYANG_GUIDE = """岳阳市2026年度微短剧扶持资金申报指南
一、申报条件
（一）申报单位在岳阳市依法注册登记、依法纳税。
（二）申报作品在岳阳市内拍摄天数占总拍摄天数的比例不低于50%。
二、支持内容
（一）拍摄补贴。对符合条件的微短剧作品，按其在岳阳市内实际发生的拍摄费用的30%给予补贴，最高不超过40万元。
（二）精品奖励。入选国家广播电视总局重点推荐项目的作品，每部奖励20万元。
（三）冬季拍摄补贴。每年11月1日至次年3月31日期间在岳阳市内拍摄、且市内拍摄不少于10天的剧组，按其住宿费用的30%给予补贴，最高6万元。
"""


@pytest.fixture(scope="module")
def onboarded(settings, bot, tmp_path_factory):
    from bot.answer.service import PolicyBot
    from bot.onboard.add import add_document

    root = tmp_path_factory.mktemp("onboarded")
    knowledge, data = root / "knowledge", root / "data"
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge)
    shutil.copytree(settings.data_dir, data, ignore=shutil.ignore_patterns("feedback.db"))
    for name in ("county-measures.docx", "city-guide.html", "county-notice2.txt"):
        add_document(ONBOARDING / name, knowledge)
    for name, text in (("yueyang-guide.txt", YUEYANG_GUIDE), ("park.txt", PARK)):
        # a guide whose 申报条件 bind every measure; a park the gazetteer does not know
        (root / name).write_text(text, encoding="utf-8")
        add_document(root / name, knowledge)
    return PolicyBot.build(Settings(knowledge_dir=knowledge, data_dir=data))


def _verbatim(bot, answer) -> bool:
    return bool(answer.citations) and all(c.quote in bot.model.clause_texts[c.clause_id] for c in answer.citations)


def test_who_issued_a_document_and_its_number_are_quoted_from_its_header(onboarded):
    answer = onboarded.ask("黟县那份若干措施是哪个单位印发的？文号是什么？")
    assert answer.answerable and _verbatim(onboarded, answer)
    assert "黟政办〔2026〕12号" in answer.answer and "黟县人民政府办公室" in answer.answer
    assert "2026年2月12日" in answer.answer
    assert {c.doc_id for c in answer.citations} == {"yixian-trial"}


def test_a_document_without_a_number_says_so_instead_of_inventing_one(onboarded):
    answer = onboarded.ask("赣州的申报指南文号多少？哪天发的？")
    assert "2026年3月16日" in answer.answer and _verbatim(onboarded, answer)
    assert "没有写明文号" in answer.answer
    assert not re.search(r"〔\d{4}〕\d+号", answer.answer.replace("赣市府办发〔2025〕41号", ""))


def test_a_section_asked_for_by_name_is_quoted_whole(onboarded):
    answer = onboarded.ask("赣州申报时要交哪些材料？")
    assert answer.answerable and _verbatim(onboarded, answer)
    materials = [c for c in answer.citations if c.clause.startswith("三、申报材料")]
    assert len(materials) >= 10  # every numbered item, not the three that rank highest
    assert "一式三份" in answer.answer and "信用承诺书" in answer.answer


def test_a_procedure_is_told_by_its_whole_section(onboarded):
    answer = onboarded.ask("赣州这个扶持资金的申报流程是怎样的？")
    assert answer.answerable and _verbatim(onboarded, answer)
    assert "初审" in answer.answer and "公示5个工作日" in answer.answer


def test_every_attachment_is_listed(onboarded):
    answer = onboarded.ask("赣州申报要填哪些附件？")
    assert answer.answerable
    assert all(f"附件{n}" in answer.answer for n in (1, 2, 3))


def test_a_total_quotes_the_yearly_cap_and_adds_nothing_up(onboarded):
    answer = onboarded.ask("在黟县一家企业一年加起来最多能拿多少？")
    assert answer.answerable and _verbatim(onboarded, answer)
    assert "300万元" in answer.answer and "就高不重复" in answer.answer


def test_a_company_registered_elsewhere_is_not_a_place_to_film(onboarded):
    answer = onboarded.ask("我们是杭州的影视公司，不打算迁户口，只是去黟县拍一部剧，能享受哪些？")
    assert answer.kind == "table:scenario" and answer.region == "黟县"
    applies = answer.answer.split("可能适用")[0]
    assert "拍摄配套费用补贴" in applies  # open to any crew filming there
    assert "制作成本补助" not in applies  # needs a company registered in the county


def test_a_threshold_beside_a_typed_condition_stays_to_confirm(onboarded):
    """营业收入首次突破1000万元: being a county company does not make the award apply."""
    local = ProducerProfile(regions=["黟县"], registered_in="黟县")
    verdicts = {v.measure.title: v.verdict for v in onboarded.tables.verdicts(local)}
    revenue = [t for t in verdicts if t.startswith("营业收入奖励")]
    assert revenue and all(verdicts[t] is Eligibility.MAYBE for t in revenue)


def test_a_minimum_the_text_sets_is_judged_by_the_figure_the_producer_states(onboarded):
    """"市内拍摄不少于10天": 8 days there is 不符合, quoting the condition; 12 days is not."""
    short = onboarded.ask("岳阳注册的公司，在岳阳拍了8天，整部剧一共拍12天，冬季拍摄补贴能拿吗？")
    assert short.kind == "table:scenario"
    opening = short.answer.strip().splitlines()[0]
    assert opening.startswith("不符合") and "冬季拍摄补贴" in opening and "不少于10天" in opening
    assert _verbatim(onboarded, short)
    enough = onboarded.ask("岳阳注册的公司，在岳阳拍了12天，整部剧一共拍15天，冬季拍摄补贴能拿吗？")
    assert "冬季拍摄补贴" in enough.answer and not enough.answer.strip().startswith("不符合——**冬季拍摄补贴")


def test_a_figure_of_the_kind_a_minimum_is_set_on_makes_the_question_a_case(onboarded):
    """"一共8天，冬季拍摄补贴能拿多少？": no "we", one figure — but a minimum is set on it."""
    answer = onboarded.ask("剧组冬天在岳阳拍了8天，冬季拍摄补贴能拿多少？")
    assert answer.kind == "table:scenario" and answer.answer.strip().startswith("不符合——**冬季拍摄补贴")


def test_a_named_list_item_is_answered_with_its_whole_text(bot):
    answer = bot.ask("衢江的“短剧精品培优工程”具体包括什么？")
    assert answer.answerable and _verbatim(bot, answer)
    assert "版权登记" in answer.answer and "150名" in answer.answer
    assert "平台能级提质工程" not in answer.answer  # not the other four items


def test_where_the_crew_comes_from_is_not_a_region_asked_about(bot):
    answer = bot.ask("我们是上海的公司，带二十个人去衢江拍一个月，有什么能享受的？")
    assert answer.region == "衢江"
    assert "上海" not in "".join(c.title for c in answer.citations)


def test_which_of_two_texts_is_in_force_is_answered_per_region(bot):
    answer = bot.ask("衢江和平原示范区的政策，哪个已经正式生效了？")
    assert answer.kind == "status" and _verbatim(bot, answer)
    draft, issued = answer.answer.splitlines()[:2]  # one line per region's text
    assert "征求意见稿" in draft and "正式出台" in issued


def test_a_named_site_in_progress_is_answered_with_what_the_text_says_of_its_progress(bot):
    answer = bot.ask("汉唐商业街现在建得怎么样了？")
    assert _verbatim(bot, answer) and "15%" in answer.answer


def test_a_report_without_a_signature_names_its_title_and_quotes_the_body(bot):
    answer = bot.ask("浙江那个“微短剧+”计划是哪几个部门牵头的？")
    assert "原文没有落款" in answer.answer and "11部门" in answer.answer
    assert _verbatim(bot, answer)


def test_a_place_name_read_across_words_is_not_a_place(bot):
    """湘江西岸 does not name 江西; 江西 on its own does."""
    assert bot.model.gazetteer.find("湘江西岸产业园那个数字影棚现在能进去拍吗？") == []
    assert [p.name for p in bot.model.gazetteer.find("去江西拍戏有补贴吗")] == ["江西省"]


def test_a_chapter_line_is_a_heading_and_its_articles_are_clauses_under_it():
    from bot.ingest.split import split_document
    from bot.models import DocStatus, PolicyDocument

    body = "### 第二章 支持企业发展\n\n第五条 落户奖励。新注册的企业给予10万元奖励。\n\n第八章 附则\n\n第三十条 本政策自公布之日起施行。"
    doc = PolicyDocument(id="t", title="测试", issuer="x", region={}, region_key="衢江", date="2026",
                         status=DocStatus.FINAL, validity="x", source="t.txt", body=body)
    clauses = {c.clause_id: c for c in split_document(doc)}
    assert clauses["t:第五条"].heading_path[0] == "第二章 支持企业发展"
    assert clauses["t:第三十条"].heading_path[0] == "第八章 附则"


def test_filming_sites_named_as_拍摄点_or_外景地_are_drafted_and_listed(onboarded):
    answer = onboarded.ask("武夷山有哪些可以拍短剧的基地或者取景点？")  # "取景点" asks for no site type
    assert answer.answerable and _verbatim(onboarded, answer)
    for site in ("下梅古村影视拍摄点", "五夫朱子文化影视外景地", "星村茶山实景拍摄点", "城村闽越古风外景基地"):
        assert site in answer.answer


def test_a_reduced_fee_is_drafted_as_support(onboarded):
    rows = [m for m in onboarded.model.measures if m.region == "武夷山" and "折收取" in m.benefit.amount]
    assert rows and all(m.benefit.kind == "in_kind" and m.benefit.amount in m.quote for m in rows)


def test_when_to_apply_and_where_to_hand_in_are_answered_from_the_procedure(onboarded):
    when = onboarded.ask("武夷山的补贴啥时候申报？")
    assert "3月1日至3月31日" in when.answer and "视为自动放弃" in when.answer
    where = onboarded.ask("武夷山的申报材料交到哪里？")
    assert "行政服务中心" in where.answer and _verbatim(onboarded, where)



def test_a_guides_conditions_bind_every_measure_and_are_cited_to_their_own_clause(onboarded):
    answer = onboarded.ask("我们公司注册在长沙，戏全部在岳阳拍的，能申报岳阳的拍摄补贴吗？")
    opening = answer.answer.split("\n", 1)[0]
    assert opening.startswith("不符合") and "申报单位在岳阳市依法注册登记" in opening
    assert _verbatim(onboarded, answer)
    cited = {c.clause_id.split(":", 1)[1] for c in answer.citations}
    assert "一(一)" in cited  # the condition is quoted from 申报条件, not from the measure's clause
    table = onboarded.ask("岳阳的拍摄补贴有什么条件？")
    assert _verbatim(onboarded, table) and not table.checks  # a row lists only its own clause's conditions


def test_a_parks_note_under_the_title_gives_its_issuer_number_and_date(onboarded):
    answer = onboarded.ask("青松影视文化产业园的办法是谁发的？文号是多少？")
    assert "青松影视文化产业园管理委员会" in answer.answer and "青影园管发〔2026〕5号" in answer.answer
    assert "2026年2月26日" in answer.answer and _verbatim(onboarded, answer)


@pytest.mark.parametrize(("question", "figure"), [("入驻园区，办公室房租怎么减免？", "免收租金"),
                                                  ("外地剧组租园区的摄影棚能打几折？", "8折")])
def test_a_discount_or_a_waived_fee_is_the_figure_asked_for(onboarded, question, figure):
    answer = onboarded.ask(question)
    opening = answer.answer.split("\n\n")[0]
    assert "没有写明具体金额" not in opening and figure in answer.answer and _verbatim(onboarded, answer)


def test_a_figure_the_question_states_picks_the_tier_that_states_it(onboarded):
    answer = onboarded.ask("在黟县拍的剧播放量到了5亿次，能拿多少奖励？")
    opening = answer.answer.split("\n\n")[0]
    assert "15万元" in opening and "30万元" not in opening and _verbatim(onboarded, answer)


@pytest.mark.parametrize(("question", "says"), [
    ("黟县的政策里，什么样的企业才算县内企业？", "工商注册地、税务征管关系和统计关系均在黟县"),
    ("黟县说的“在黟拍摄”怎么算？", "不低于全剧拍摄场景（场次）总数的60%"),
])
def test_a_term_the_text_defines_is_answered_with_its_definition(onboarded, question, says):
    answer = onboarded.ask(question)
    assert says in answer.answer.split("\n\n")[0] and _verbatim(onboarded, answer)


def test_a_status_question_naming_no_place_answers_for_every_document(onboarded):
    """"这个政策是试行的吗？" with no place: the question did not say which text, so each
    current document gets its kind and, quoted, when it runs — the county's 试行 included;
    "这个办法" picks the texts whose titles call themselves 办法."""
    answer = onboarded.ask("这个政策是试行的吗？什么时候开始施行，有效期多久？")
    assert answer.kind == "status" and answer.answerable and _verbatim(onboarded, answer)
    current = [d for d in onboarded.model.documents.values() if d.is_current]
    assert all(d.title in answer.answer for d in current)
    county = next(line for line in answer.answer.splitlines() if "黟县" in line)
    assert "试行文件" in county and "有效期3年" in county
    park = onboarded.ask("这个办法是试行的吗？")
    titles = {c.title for c in park.citations}
    assert park.kind == "status" and titles and all("办法" in t for t in titles)
    assert "试行文件" in park.answer and "黟县" not in park.answer


def test_a_status_question_about_a_place_opens_with_its_kind_then_what_else_was_asked(onboarded):
    answer = onboarded.ask("黟县的措施是正式的还是试行的？")
    assert answer.answer.startswith("《") and "试行文件" in answer.answer.splitlines()[0]
    assert "2026年3月1日起施行" in answer.answer and _verbatim(onboarded, answer)
    both = onboarded.ask("黟县的措施有效期多久？找哪个部门申报？")
    assert both.answer.splitlines()[0].count("有效期3年") == 1 and both.answer.count("有效期3年") == 1
    assert len({c.clause_id for c in both.citations}) >= 2  # the status, then the clauses on whom to ask


def test_a_draft_for_comment_asked_whether_it_is_in_force_still_opens_with_the_draft_note(bot):
    answer = bot.ask("平原示范区的政策现在生效了吗？")
    assert answer.answer.startswith("注意：这是征求意见稿")


def test_a_text_that_states_no_period_says_so_when_asked_and_quotes_its_header_instead(onboarded):
    answer = onboarded.ask("这个办法有效期多久？")
    assert answer.kind == "status" and not answer.answerable  # how long it runs: not in the text
    assert "没有写明施行日期和有效期" in answer.answer and "青影园管发〔2026〕5号" in answer.answer
    assert _verbatim(onboarded, answer)


def test_a_site_named_as_people_call_it_is_its_regions_and_asked_about_it_answers_from_its_line(onboarded):
    """"下梅古村" (下梅古村影视拍摄点, drafted by `bot add`) names 武夷山 with no place said;
    asked whether it can be used, the site's own line answers."""
    answer = onboarded.ask("下梅古村能拍吗？怎么预约？")
    assert answer.kind == "sites" and answer.region == "武夷山"
    assert "下梅古村影视拍摄点" in answer.answer and _verbatim(onboarded, answer)
