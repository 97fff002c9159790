"""The lexicon (``knowledge/lexicon.yaml``): every word list the bot reads questions
with, compiled once. Code elsewhere holds mechanisms; the words live in the data file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import KnowledgeError
from bot.policy.quantities import Quantity, load_quantities


def _alternation(words: list[str]) -> re.Pattern[str]:
    """One regex matching any of ``words`` (longest first), case-insensitive."""
    ordered = sorted({str(w) for w in words if str(w)}, key=len, reverse=True)
    # a Latin word is a whole word ("AI" is not in "Thai")
    parts = [rf"\b{re.escape(w)}\b" if re.fullmatch(r"[A-Za-z][A-Za-z ']*[A-Za-z]", w) else re.escape(w) for w in ordered]
    return re.compile("|".join(parts) or r"(?!x)x", re.IGNORECASE)


@dataclass(frozen=True)
class GuardWords:
    """What the guard on LLM-written prose reads it with (``guard`` in the lexicon)."""

    in_force: re.Pattern[str]
    negation: re.Pattern[str]
    draft: re.Pattern[str]
    contact: re.Pattern[str]
    doc_number: re.Pattern[str]
    addressee: re.Pattern[str]
    qualifies: re.Pattern[str]
    conditional: re.Pattern[str]
    promise: re.Pattern[str]
    meta: re.Pattern[str]
    universal: re.Pattern[str]
    parity: re.Pattern[str]
    absence: re.Pattern[str]
    list_units: re.Pattern[str]
    organization: re.Pattern[str]
    count_words: re.Pattern[str]
    assured: re.Pattern[str]
    cap: re.Pattern[str]
    requirement: re.Pattern[str]
    denial: re.Pattern[str]
    time: re.Pattern[str]
    reported: re.Pattern[str]
    formal: re.Pattern[str]
    done: re.Pattern[str]
    broadened: re.Pattern[str]
    grant: re.Pattern[str]
    source_talk: re.Pattern[str]
    verdict_max: int  # a sentence this short (content characters) that qualifies someone is a verdict
    claims: ClaimWords

    @classmethod
    def from_data(cls, data: dict) -> GuardWords:
        plain = ("verdict_max", "claims")
        names = [n for n in cls.__dataclass_fields__ if n not in plain]
        return cls(**{name: re.compile(str(data[name]), re.IGNORECASE) for name in names},
                   verdict_max=int(data["verdict_max"]), claims=ClaimWords.from_data(data["claims"]))


@dataclass(frozen=True)
class ClaimWords:
    """What a statement of LLM prose may say beyond its cited clauses (``guard.claims``)."""

    most: int  # weight of words from no cited clause a statement may have
    skip_pos: re.Pattern[str]  # jieba parts of speech of function words (never counted)
    common_verb: int  # verbs and adjectives more common than this (jieba's count) frame a claim
    common: int  # any word more common than this frames a claim
    rare: int  # a noun rarer than this names a thing: it weighs two
    discourse: frozenset[str]  # words that frame a claim and state nothing of a clause
    qualifiers: tuple[str, ...]  # words that narrow who or what a measure is for (新认定, 求职, 立项)
    restates: int  # words a statement shares with a clause part to restate it
    condition_marks: frozenset[str]  # words that mark a condition (经, 认定, 首次, 或 …): a near copy never leaves one out

    @classmethod
    def from_data(cls, data: dict) -> ClaimWords:
        return cls(int(data["most"]), re.compile(str(data["skip_pos"])), int(data["common_verb"]),
                   int(data["common"]), int(data["rare"]), frozenset(map(str, data["discourse"])),
                   tuple(map(str, data["qualifiers"])), int(data["restates"]),
                   frozenset(map(str, data["condition_marks"])))


@dataclass(frozen=True)
class ProfileWords:
    """Words that describe a producer's own case (read into the 补贴测算 profile)."""

    origin_before: tuple[str, ...]
    origin_after: tuple[str, ...]
    registered: tuple[str, ...]
    registered_after: tuple[str, ...]
    registered_known_only: tuple[str, ...]  # like ``registered``, before a place the gazetteer knows
    local_company: re.Pattern[str]
    outside_company: re.Pattern[str]
    outside_crew: re.Pattern[str]
    new_company: re.Pattern[str]
    established: re.Pattern[str]
    no_company: re.Pattern[str]
    moving_in: re.Pattern[str]
    above_scale: re.Pattern[str]
    job_seekers: re.Pattern[str]
    in_crew: re.Pattern[str]
    graduates: re.Pattern[str]
    local_theme: re.Pattern[str]
    not_local_theme: re.Pattern[str]
    rnd_declined: re.Pattern[str]
    rnd_grew: re.Pattern[str]
    script_selected: re.Pattern[str]
    script_words: re.Pattern[str]
    script_not_selected: re.Pattern[str]
    levels: dict[str, re.Pattern[str]]
    level_rank: dict[str, int]
    plans: dict[str, re.Pattern[str]]
    needs: dict[str, re.Pattern[str]]
    shooting: re.Pattern[str]
    shoot_after: re.Pattern[str]  # right after a place: it is where the shooting happens
    shoot_before: re.Pattern[str]  # right before a place (English): it is where the shooting happens
    going_before: re.Pattern[str]  # right before a place: the asker is going there ("想去衢江")
    event_after: re.Pattern[str]  # right after a place: an event is held there ("郑州办个交易会")
    placed_before: re.Pattern[str]  # right before a place: it is where something happens ("在", a clause start)
    negated_deed: re.Pattern[str]  # right before a plan word: it is said not done ("还没", "没做过")
    park_words: re.Pattern[str]
    recognised_words: re.Pattern[str]
    plan_conditions: dict[str, tuple[str, ...]]
    none_words: tuple[str, ...]
    patterns: dict[str, re.Pattern[str]]
    negations: tuple[str, ...]
    elsewhere: str  # how a place outside the regions is named in a profile (外地)
    all_levels: str  # a condition value meaning any selection level (各级)
    fact_topics: dict[str, tuple[str, ...]]
    plan_topics: dict[str, tuple[str, ...]]
    quantities: dict[str, Quantity] = field(default_factory=dict)  # the ``quantities`` section


@dataclass(frozen=True)
class Lexicon:
    stop_words: frozenset[str]
    generic_words: frozenset[str]
    synonyms: tuple[frozenset[str], ...]
    colloquial: dict[str, tuple[str, ...]]
    english: dict[str, str]
    ask_patterns: dict[str, re.Pattern[str]]
    intent_patterns: dict[str, re.Pattern[str]]
    followup: re.Pattern[str]
    likeness: re.Pattern[str]
    inclusion: re.Pattern[str]
    question: re.Pattern[str]
    place_descriptor_before: tuple[str, ...]
    place_descriptor_after: tuple[str, ...]
    contents: re.Pattern[str]
    section: re.Pattern[str]
    money: re.Pattern[str]
    own_figure: re.Pattern[str]
    claim_check: re.Pattern[str]
    figure_count: re.Pattern[str]
    site_state: re.Pattern[str]
    domain: re.Pattern[str]
    injection: re.Pattern[str]
    own_level: re.Pattern[str]  # asks whether a place has a policy of its own (衢州市层面, 还是只有…)
    section_word_variants: dict[str, tuple[str, ...]]  # a section name's word → words asking for it
    definition: re.Pattern[str]  # a sentence defining a term (one group holds the term)
    definition_ask: re.Pattern[str]  # a question asking what a term means or covers
    # a sentence of a document that reads like an instruction to a model: never evidence
    instruction: re.Pattern[str]
    facts: dict[str, re.Pattern[str]]
    no_figure_amounts: frozenset[str]
    profile: ProfileWords
    site_types: dict[str, re.Pattern[str]]
    site_any: re.Pattern[str]
    ask_topics: dict[str, str]
    guard: GuardWords
    _variants: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise KnowledgeError(f"{path}: cannot read the lexicon ({exc})") from exc
        try:
            return cls._from_data(data)
        except (KeyError, TypeError, re.error) as exc:
            raise KnowledgeError(f"{path}: malformed lexicon entry ({exc!r})") from exc

    @classmethod
    def _from_data(cls, data: dict) -> Lexicon:
        def rx(pattern: str) -> re.Pattern[str]:
            return re.compile(pattern, re.IGNORECASE)

        p = data["profile"]
        profile = ProfileWords(
            origin_before=tuple(p["origin_before"]),
            origin_after=tuple(p["origin_after"]),
            registered=tuple(p["registered"]),
            registered_after=tuple(p["registered_after"]),
            registered_known_only=tuple(p.get("registered_known_only") or ()),
            local_company=_alternation(p["local_company"]),
            outside_company=_alternation(p["outside_company"]),
            outside_crew=_alternation(p["outside_crew"]),
            new_company=_alternation(p["new_company"]),
            established=re.compile(p["established"]),
            no_company=_alternation(p["no_company"]),
            moving_in=re.compile(p["moving_in"]),
            above_scale=_alternation(p["above_scale"]),
            job_seekers=_alternation(p["job_seekers"]),
            in_crew=_alternation(p["in_crew"]),
            graduates=_alternation(p["graduates"]),
            local_theme=_alternation(p["local_theme"]),
            not_local_theme=re.compile(p["not_local_theme"], re.IGNORECASE),
            rnd_declined=re.compile(p["rnd_declined"]),
            rnd_grew=re.compile(p["rnd_grew"]),
            script_selected=_alternation(p["script_selected"]),
            script_words=_alternation(p["script_words"]),
            script_not_selected=_alternation(p["script_not_selected"]),
            levels={k: _alternation(v) for k, v in p["levels"].items()},
            level_rank={str(k): int(v) for k, v in p["level_rank"].items()},
            plans={k: _alternation(v) for k, v in p["plans"].items()},
            needs={k: _alternation(v) for k, v in p["needs"].items()},
            shooting=_alternation(p["shooting"]),
            shoot_after=re.compile(p["shoot_after"]),
            shoot_before=re.compile(p["shoot_before"], re.IGNORECASE),
            going_before=re.compile(p["going_before"]),
            event_after=re.compile(p["event_after"]),
            placed_before=re.compile(p["placed_before"]),
            negated_deed=re.compile(p["negated_deed"]),
            park_words=re.compile(p["park_words"]),
            recognised_words=re.compile(p["recognised_words"]),
            plan_conditions={k: tuple(v) for k, v in p["plan_conditions"].items()},
            none_words=tuple(str(w) for w in p["none_words"]),
            patterns={k: re.compile(v, re.IGNORECASE) for k, v in p["patterns"].items()},
            negations=tuple(str(w) for w in p["negations"]),
            elsewhere=str(p["elsewhere"]),
            all_levels=str(p["all_levels"]),
            fact_topics={k: tuple(v) for k, v in p["fact_topics"].items()},
            plan_topics={k: tuple(v) for k, v in p["plan_topics"].items()},
            quantities=load_quantities(data.get("quantities")),
        )
        synonyms = tuple(frozenset(str(w) for w in group) for group in data["synonyms"])
        colloquial = {str(k): tuple(str(v).split()) for k, v in (data.get("colloquial") or {}).items()}
        lex = cls(
            stop_words=frozenset(str(w) for w in data["stop_words"]),
            generic_words=frozenset(str(w) for w in data["generic_words"]),
            synonyms=synonyms,
            colloquial=colloquial,
            english={str(k).lower(): str(v) for k, v in (data.get("english") or {}).items()},
            ask_patterns={k: rx(v) for k, v in data["ask_patterns"].items()},
            intent_patterns={k: rx(v) for k, v in data["intent_patterns"].items()},
            followup=rx(data["followup_patterns"]),
            likeness=rx(data["likeness_pattern"]),
            inclusion=rx(data["inclusion_pattern"]),
            question=rx(data["question_pattern"]),
            place_descriptor_before=tuple(str(w) for w in data["place_descriptor_before"]),
            place_descriptor_after=tuple(str(w) for w in data["place_descriptor_after"]),
            contents=rx(data["contents_pattern"]),
            section=rx(data["section_pattern"]),
            money=rx(data["money_pattern"]),
            own_figure=rx(data["own_figure_pattern"]),
            claim_check=rx(data["claim_check_pattern"]),
            figure_count=rx(data["figure_count_pattern"]),
            site_state=rx(data["site_state_pattern"]),
            domain=rx(data["domain_pattern"]),
            injection=rx(data["injection_pattern"]),
            own_level=rx(data["own_level_pattern"]),
            section_word_variants={str(k): tuple(str(x) for x in v)
                                   for k, v in (data.get("section_word_variants") or {}).items()},
            definition=rx(data["definition_pattern"]),
            definition_ask=rx(data["definition_ask_pattern"]),
            instruction=rx(f"(?:{data['onboarding']['doubts']['instruction']})|(?:{data['injection_pattern']})"),
            facts={k: rx(v) for k, v in data["fact_patterns"].items()},
            no_figure_amounts=frozenset(data["no_figure_amounts"]),
            profile=profile,
            site_types={str(k): _alternation(v) for k, v in (data.get("site_types") or {}).items()},
            site_any=_alternation(data.get("site_any") or []),
            ask_topics={str(k): str(v) for k, v in (data.get("ask_topics") or {}).items()},
            guard=GuardWords.from_data(data["guard"]),
        )
        for group in synonyms:
            for word in group:
                lex._variants[word] = lex._variants.get(word, frozenset()) | group
        return lex

    def asks(self, lowered: str) -> frozenset[str]:
        """What ``lowered`` asks for: amount, deadline, contact, list … (ask_patterns)."""
        found = {name for name, pattern in self.ask_patterns.items() if pattern.search(lowered)}
        office = self.ask_patterns.get("office")
        if "contact" in found and "office" in found and office is not None and \
                not self.ask_patterns["contact"].search(office.sub(" ", lowered)):
            found.discard("contact")  # "who do I contact": an office, not a phone number
        if "deadline" in found:
            found.discard("date")
        return frozenset(found)

    def variants(self, word: str) -> frozenset[str]:
        """``word`` with its synonyms and the formal words for it (colloquial)."""
        return self._variants.get(word, frozenset()) | {word} | set(self.colloquial.get(word, ()))

    def has(self, fact: str, text: str) -> bool:
        """Does ``text`` hold the kind of fact named (a deadline, a form, a phone …)?"""
        pattern = self.facts.get(fact)
        return bool(pattern.search(text)) if pattern else True

    def english_expansions(self, lowered: str) -> list[str]:
        return [zh for en, zh in self.english.items() if re.search(rf"\b{re.escape(en)}", lowered)]

    def colloquial_expansions(self, text: str) -> list[str]:
        return [" ".join(formal) for word, formal in self.colloquial.items() if word in text]
