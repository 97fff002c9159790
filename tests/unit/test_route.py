"""Route: which composer answers an intent — decided by the kind of answer alone, except
that a question only about places no text covers goes to the uncovered-place decline."""

from __future__ import annotations

import pytest

from bot.answer.intent import Ask, Intent
from bot.answer.route import Route, route


def intent(ask: Ask, regions: tuple[str, ...] = ("坪安",), uncovered: tuple[str, ...] = (),
           topics: tuple[str, ...] = ("取景拍摄",), asks: frozenset[str] = frozenset()) -> Intent:
    return Intent(question="…", text="…", topic_text="…", ask=ask, regions=regions, uncovered=uncovered, topics=topics,
                  asks=asks)


@pytest.mark.parametrize(("ask", "expected"), [
    (Ask.INJECTION, Route.INJECTION),
    (Ask.OFFTOPIC, Route.OFFTOPIC),
    (Ask.COMPARE, Route.COMPARE),
    (Ask.SCENARIO, Route.SCENARIO),
    (Ask.LIST, Route.TABLE),
    (Ask.AMOUNT, Route.TABLE),
    (Ask.CONDITION, Route.TABLE),
    (Ask.TOTAL, Route.TABLE),
    (Ask.WHERE, Route.SITES),
    (Ask.HOWTO, Route.CLAUSES),
    (Ask.STATUS, Route.STATUS),  # (the clauses answer when no document states its dates)
    (Ask.FACT, Route.CLAUSES),
])
def test_each_kind_of_question_goes_to_its_composer(ask, expected):
    assert route(intent(ask)) is expected


def test_every_kind_of_question_has_a_route():
    assert {route(intent(ask)) for ask in Ask} <= set(Route)


@pytest.mark.parametrize("ask", [Ask.LIST, Ask.AMOUNT, Ask.WHERE, Ask.FACT, Ask.COMPARE])
def test_a_question_only_about_uncovered_places_is_declined_as_such(ask):
    assert route(intent(ask, regions=(), uncovered=("大同市",))) is Route.UNCOVERED_PLACE


@pytest.mark.parametrize(("ask", "asks"), [(Ask.CONDITION, frozenset()), (Ask.LIST, frozenset({"condition", "list"}))])
def test_conditions_asked_with_no_measure_named_come_from_the_texts_own_conditions(ask, asks):
    """"申报要满足哪些条件": a 申报条件 section answers, not every measure's own conditions."""
    assert route(intent(ask, topics=(), asks=asks)) is Route.CLAUSES
    assert route(intent(ask, asks=asks)) is Route.TABLE  # a named topic: its measures' conditions


def test_an_uncovered_place_beside_a_covered_region_is_answered_for_the_region():
    assert route(intent(Ask.LIST, regions=("坪安",), uncovered=("大同市",))) is Route.TABLE


def test_an_injection_naming_an_uncovered_place_is_still_an_injection():
    assert route(intent(Ask.INJECTION, regions=(), uncovered=("大同市",))) is Route.INJECTION


def test_the_understood_questions_route_end_to_end(understand):
    assert route(understand("坪安有哪些扶持政策？")) is Route.TABLE
    assert route(understand("在坪安哪里可以拍古装戏？")) is Route.SITES
    assert route(understand("大同市有微短剧补贴吗？")) is Route.UNCOVERED_PLACE


def test_a_question_asking_the_names_of_a_counted_set_goes_to_the_set_composer(understand):
    from bot.answer.route import Route, route

    for question, count in [("坪安的八大行动分别叫什么？", 8), ("是哪11个部门联合发的？", 11), ("覆盖哪六个方面", 6)]:
        intent = understand(question)
        assert intent.count == count, question
    assert route(understand("坪安微短剧扶持的八大行动分别叫什么？")) is Route.NAMED_SET
    # a count of months or people is not a set
    assert understand("我们20人剧组去坪安拍一个月，能享受哪些政策？").count is None
