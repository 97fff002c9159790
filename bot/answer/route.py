"""Route: which composer answers an intent. Nothing else happens here."""

from __future__ import annotations

from enum import StrEnum

from bot.answer.intent import Ask, Intent


class Route(StrEnum):
    INJECTION = "injection"
    OFFTOPIC = "offtopic"
    UNCOVERED_PLACE = "uncovered_place"
    OUTSIDE = "outside"  # the asker shoots in a place outside the asked region's scope
    UNVERIFIED = "unverified"  # the question asserts a figure no text states
    NAMED_SET = "named_set"  # every item of a set the texts enumerate (else the clauses answer)
    COMPARE = "compare"
    SCENARIO = "scenario"
    TABLE = "table"  # lists, amounts, conditions, totals
    SITES = "sites"
    DOCUMENT = "document"  # who issued it, 文号, date (else the clauses answer)
    STATUS = "status"  # what kind of text each document is, and how long it runs
    CLAUSES = "clauses"


def route(intent: Intent, unverified: bool = False) -> Route:
    """``unverified``: the question asserts a support figure that no text states."""
    if intent.ask is Ask.INJECTION:
        return Route.INJECTION
    if unverified and intent.ask is not Ask.OFFTOPIC:
        return Route.UNVERIFIED
    if intent.ask is Ask.OFFTOPIC:
        return Route.OFFTOPIC
    if intent.uncovered and (not intent.regions or intent.uncovered_subject):
        return Route.UNCOVERED_PLACE
    if intent.outside and intent.ask is not Ask.COMPARE:
        return Route.OUTSIDE
    if intent.count and intent.ask in (Ask.LIST, Ask.FACT) and not intent.asks & {"amount", "ratio"}:
        return Route.NAMED_SET  # "八大行动分别叫什么" (if no set of that size: the route below)
    if intent.ask is Ask.COMPARE:
        return Route.COMPARE
    if intent.ask is Ask.SCENARIO:
        return Route.SCENARIO
    if (intent.ask is Ask.CONDITION or (intent.ask is Ask.LIST and "condition" in intent.asks)) \
            and not (intent.topics or intent.weak_topics or intent.programmes or intent.part):
        return Route.CLAUSES  # "申报要满足哪些条件": the text's own 申报条件, not every measure's
    if intent.ask in (Ask.LIST, Ask.AMOUNT, Ask.CONDITION, Ask.TOTAL):
        return Route.TABLE
    if intent.ask is Ask.WHERE:
        return Route.SITES
    if intent.ask is Ask.DOCUMENT:
        return Route.DOCUMENT
    if intent.ask is Ask.STATUS:
        return Route.STATUS
    return Route.CLAUSES
