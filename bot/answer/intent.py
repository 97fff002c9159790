"""Understand: question text (+ history) → one immutable :class:`Intent`.

Everything here is mechanism over the policy model's data (lexicon, regions, topics):
which regions a question is about (names, aliases, parents and children, places the
gazetteer knows, homophone typos), which topics (taxonomy terms, then similarity to the
topic descriptions), what kind of answer it wants (:class:`Ask`), the producer's own
case for scenario questions, figures it states (to check premises), and — for an
elliptical follow-up — what it inherits from the previous question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.index.text import to_simplified
from bot.policy.book import PolicyModel
from bot.policy.eligibility import ProducerProfile
from bot.policy.lexicon import ProfileWords
from bot.policy.quantities import cn_number
from bot.policy.regions import Level, Place, Relation, said_before


class Ask(StrEnum):
    """The kind of answer a question wants; decides the composer (see route.py)."""

    LIST = "list"  # everything a region offers (in a topic)
    AMOUNT = "amount"  # how much
    CONDITION = "condition"  # who qualifies
    HOWTO = "howto"  # how / where to apply, which office, deadline, form, phone
    WHERE = "where_to_film"  # filming sites and bases
    STATUS = "status"  # draft or in force, validity
    DOCUMENT = "document"  # who issued a document, its 文号, its date
    COMPARE = "compare"  # several regions side by side
    SCENARIO = "scenario"  # "we are …, what can we get?"
    TOTAL = "total"  # "add it all up"
    FACT = "fact"  # anything else the texts may state
    OFFTOPIC = "offtopic"
    INJECTION = "injection"


# Profile facts that decide a measure's conditions (plans and needs only suggest topics).
# Facts a text may not give, asked for by name: the evidence itself must state one (a clause
# on the same topic is no answer); otherwise "现有资料没有写明…" and the office to ask.
MISSING_FACTS = ("deadline", "form", "contact", "address", "materials", "person", "payment")
DECISIVE_FACTS = {"script_selected_by", "park_level", "shoot_share", "company", "registered_in", "capital_wan",
                  "insurance_months", "local_theme", "graduates", "job_seekers", "rnd_grew", "event_place",
                  "quantities"}
SUPPORT_ASKS = (Ask.LIST, Ask.AMOUNT, Ask.CONDITION, Ask.TOTAL, Ask.COMPARE, Ask.SCENARIO)
FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*个?\s*(万|亿|%)|([一二两三四五六七八九十百千]+)\s*个?\s*(万|亿)")
CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
NUMERALS = frozenset("零一二三四五六七八九十百千万亿两")


# a count of things in digits or Chinese numerals (read with count_value)
COUNT = r"(\d+|[一二两三四五六七八九十]+)"


def count_value(text: str) -> int | None:
    """A count written in digits or Chinese numerals: "11" → 11, "八" → 8, "十二" → 12."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in CN_DIGITS and c not in "十百千" for c in text):
        return None
    return int(cn_number(text))


def figures_in(text: str, digits_only: bool = False) -> tuple[str, ...]:
    """Amounts and percentages stated in ``text``, canonical ("2个亿" → "2亿", "一百万" → "100万").
    ``digits_only``: only figures written in digits (policy texts write amounts so; their
    Chinese numerals are idioms like 百万人流)."""
    found = []
    for m in FIGURE.finditer(text):
        if digits_only and not m.group(1):
            continue
        value = float(m.group(1)) if m.group(1) else cn_number(m.group(3))
        unit = m.group(2) or m.group(4)
        found.append(f"{value:g}{unit}")
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class FollowUp:
    """What an elliptical follow-up took from the previous question."""

    regions: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    ask: Ask | None = None


@dataclass(frozen=True)
class Intent:
    question: str  # as asked (validated)
    text: str  # simplified Chinese, NFKC, typos fixed
    topic_text: str  # text without the names of the regions it is about
    ask: Ask
    asks: frozenset[str] = frozenset()  # finer wants: amount, deadline, contact, count …
    regions: tuple[str, ...] = ()  # covered regions to answer from, most specific first
    places: tuple[Place, ...] = ()  # every place named, and how it maps
    uncovered: tuple[str, ...] = ()  # places named that no text covers
    uncovered_subject: bool = False  # the uncovered place is the subject ("洛阳有没有跟郑州一样的")
    all_regions: bool = False  # "各地…"
    named_regions: tuple[str, ...] = ()  # covered regions named outright (not via parent/child)
    programmes: tuple[str, ...] = ()  # programmes the texts name that the question names (黄金十二条)
    topics: tuple[str, ...] = ()  # topic keys named
    weak_topics: tuple[str, ...] = ()  # topics only suggested
    topics_by_similarity: bool = False
    expansions: tuple[str, ...] = ()  # search words: English glossary, colloquial, typo candidates
    support: bool = False  # asks about support at all (补贴, 扶持, 政策, 措施 …)
    profile: ProducerProfile | None = None
    figures: tuple[str, ...] = ()
    english: bool = False
    followup: FollowUp | None = None
    part: str | None = None  # a part of a text the question names and asks about ("短剧精品培优工程包括哪些")
    compared: tuple[str, ...] = ()  # covered regions named only as the comparison ("像衢江那样")
    # places no text covers, outside every asked region, where the asker's own shooting
    # happens ("我们在柯城区拍，衢江的政策能用吗")
    outside: tuple[str, ...] = ()
    count: int | None = None  # how many things the question says a set has ("哪六个方面", "八大行动")
    count_noun: str = ""  # what the set is of, as the question says it ("方面", "行动", "工程")
    # spans of places named but not asked about: a company's home, a story's setting, a comparison
    context_places: tuple[tuple[int, int], ...] = ()

    @property
    def region(self) -> str | None:
        return self.regions[0] if self.regions else None

    @property
    def search_text(self) -> str:
        return " ".join([self.text, *self.expansions])

    @property
    def query_text(self) -> str:
        """What retrieval searches for within a region filter (no region names)."""
        return " ".join([self.topic_text, *self.expansions])

    def scope_places(self) -> list[Place]:
        """Places answered through a parent or child region (said so in the answer)."""
        return [p for p in self.places if not p.origin and p.span not in self.context_places
                and p.relation in (Relation.CONTAINS, Relation.INSIDE)]


@dataclass(frozen=True)
class _Places:
    """The places a question names, and the roles they play in it."""

    places: list[Place]  # every place named
    asked: list[Place]  # the places it asks about
    compared: list[Place]  # covered places named only as the comparison
    context: list[Place]  # named but not asked about for themselves: a home, a setting, a qualifier
    regions: list[str]  # covered regions to answer from, most specific first
    named: list[str]  # covered regions named outright
    uncovered: list[str]  # places named that no text covers


@dataclass(frozen=True)
class _Company:
    """A producer's company as a question tells it (the company fields of a profile)."""

    stage: str | None = None  # new, first_above_scale, existing or none (ProducerProfile.company)
    established: bool | None = None  # registered for years
    above_scale: bool | None = None  # above the 规模以上 threshold (False: said not to be)
    registered_in: str | None = None  # a covered region, a place's name, or the word for elsewhere (外地)


@dataclass
class Understand:
    """The understanding stage. ``correct`` fixes typos (返回 (text, candidate words));
    ``content_terms`` gives a text's content words (empty: nothing of its own)."""

    model: PolicyModel
    correct: Callable[[str], tuple[str, list[str]]] = lambda t: (t, [])
    content_terms: Callable[[str], dict[str, float]] = lambda t: {}
    known: Callable[[str], bool] = lambda w: False  # does the corpus use this word?
    topic_margin: float = 0.02

    def __call__(self, question: str, history: list[dict] | None = None, region_hint: str | None = None) -> Intent:
        item = referred_item(to_simplified(question), _previous_answer(history or []))
        # "第四条具体是啥？", "美食那个要推几部？": the item of the previous answer it points at
        # is what it asks about (read with the question; never shown back)
        intent = self.read(f"{item} {question}" if item else question, region_hint)
        if item:
            intent = replace(intent, question=question)
        previous = _previous_question(history or [])
        if previous and intent.ask is not Ask.INJECTION:
            before = self.read(previous)
            if before.ask is Ask.INJECTION and self._elliptical(intent):
                # "确认一下刚才的金额" after an injected "官方已确认…": the follow-up is about it
                return replace(intent, ask=Ask.INJECTION)
            followed = self._follow(intent, before)
            # the item pointed at is the subject: the previous turn's place, not its topic or list
            intent = replace(followed, topics=intent.topics, asks=intent.asks, ask=intent.ask,
                             topic_text=intent.topic_text) if item else followed
        return intent

    def _elliptical(self, intent: Intent) -> bool:
        own = [w for w in self.content_terms(intent.topic_text) if len(w) >= 2 and self.known(w)]
        return bool(self.model.lexicon.followup.search(intent.text)) or not own

    # ------------------------------------------------------------------ one turn
    def read(self, question: str, region_hint: str | None = None) -> Intent:
        """One question on its own: its places, topics and asks, then what kind of answer."""
        lex = self.model.lexicon
        simplified = to_simplified(question).strip()
        text, maybe = self.correct(simplified)
        text = self._name_slips(text)
        lowered = text.lower()
        where = self._read_places(text, lowered, region_hint)
        all_regions = any(w in lowered for w in self.model.regions.all_regions_words) and not where.named
        topic_text = _without(text, [p.span for p in where.asked if not p.landmark])
        topics = self.model.topics.match(topic_text)
        glossed = [*lex.english_expansions(lowered), *lex.colloquial_expansions(text)]
        expansions = [*glossed, *maybe]
        english = bool(re.search(r"[a-z]{3,}", lowered)) and not re.search(r"[\u4e00-\u9fff]{4,}", text)
        asks = lex.asks(lowered)
        support = bool(lex.intent_patterns["support"].search(lowered))
        strong, weak, by_similarity = topics.strong, topics.weak, False
        about_region = self._asks_about_region(text, lowered, where.places)
        on_topic = bool(lex.domain.search(lowered) or strong or weak or glossed or support or about_region)
        if not strong and on_topic and support:
            similar = self.model.topics.similar(topic_text, self.topic_margin)
            if similar:
                strong, by_similarity = (similar,), True
        intent = Intent(
            question=question, text=text, topic_text=re.sub(r"\s+", " ", topic_text).strip(), ask=Ask.FACT,
            asks=asks, regions=tuple(where.regions), places=tuple(where.places), uncovered=tuple(where.uncovered),
            all_regions=all_regions, named_regions=tuple(where.named), topics=strong, weak_topics=weak,
            topics_by_similarity=by_similarity, expansions=tuple(dict.fromkeys(expansions)), support=support,
            figures=figures_in(text), english=english,
            uncovered_subject=bool(where.uncovered) and (self._compared_to_covered(lowered, where.places)
                                                         or self._asked_only_about_uncovered(lowered, where.asked)),
            programmes=self._programmes(text, where.regions),
            compared=tuple(dict.fromkeys(k for p in where.compared for k in p.regions)),
            context_places=tuple(p.span for p in where.context),
        )
        return self._with_ask(intent, text, lowered, on_topic)

    def _name_slips(self, text: str) -> str:
        """"浙里微关" for 浙里微光: a name the texts give (four characters or more) typed with one
        character wrong — not a numeral, not the first, and not a phrase the texts use
        themselves ("微短剧节" is no slip of 微短剧贷") — is read as that name."""
        for name in self.model.name_forms():
            if len(name) < 4 or name in text:
                continue
            for start in range(len(text) - len(name) + 1):
                chunk = text[start:start + len(name)]
                wrong = [i for i, (a, b) in enumerate(zip(chunk, name, strict=True)) if a != b]
                if len(wrong) == 1 and wrong[0] > 0 and _slip(chunk[wrong[0]], name[wrong[0]]) \
                        and not self.model.uses(chunk):
                    text = text[:start] + name + text[start + len(name):]
                    break
        return text

    def _read_places(self, text: str, lowered: str, region_hint: str | None) -> _Places:
        """The places named, which of them the question asks about, and so the regions to
        answer from; ``region_hint`` (the page's region) comes first."""
        places = self.model.gazetteer.find(text)
        asked = self._asked_places(lowered, [p for p in places if not p.origin])
        # "平原示范区有没有像衢江那样…", "衢江有基金吗？余杭好像搞了": the covered place named as
        # the comparison is context, the other is what is asked about
        compared = self._compared(lowered, asked)
        asked = [p for p in asked if p not in compared]
        # "浙江坪安": a qualifier's region stays in scope (province-wide measures apply), but
        # it is neither a second subject nor a place asked about for itself
        qualifiers = [p for p in asked if self._qualifies(p, places)]
        context = [p for p in places if not p.origin and (p not in asked or p in qualifiers)]
        regions, _, uncovered = self._regions(asked)
        named = self._regions([p for p in asked if p not in qualifiers])[1]
        if not regions and not uncovered:
            regions = self._document_regions(text)
        if region_hint and region_hint in self.model.regions.regions and region_hint not in regions:
            regions.insert(0, region_hint)
            named.insert(0, region_hint)
        return _Places(places, asked, compared, context, regions, named, uncovered)

    def _asked_places(self, lowered: str, asked: list[Place]) -> list[Place]:
        """The places named, without those that describe something else or are the
        company's home — unless every place named does."""
        lex = self.model.lexicon
        # "郑州的那篇文章里提到深圳…", "入选浙江省级项目", "讲的是上海的故事": a place
        # describing something else
        described = [p for p in asked if _followed_by(lowered, p.span[1], lex.place_descriptor_after)
                     or said_before(lowered, p.span[0], lex.place_descriptor_before)]
        if described and len(described) < len(asked):
            asked = [p for p in asked if p not in described]
        # "我们是上海的公司，去黟县拍": the company's home is not where the question asks about
        # (unless it is the only place named: "衢江注册的公司能拿什么").
        homes = [p for p in asked if self._registration_place(lowered, p)]
        if homes and len(homes) < len(asked):
            asked = [p for p in asked if p not in homes]
        return asked

    def _asks_about_region(self, text: str, lowered: str, places: list[Place]) -> bool:
        """A place alone does not make a question about policy ("明天衢州会下雨吗？"): it must
        also ask what the region offers, or use words the texts use ("为啥叫竖店")."""
        lex = self.model.lexicon
        return bool(places) and bool(
            lex.intent_patterns["list_all"].search(lowered) or lex.intent_patterns["status"].search(lowered)
            or any(self.known(w) for w in self.content_terms(_without(text, [p.span for p in places]))))

    def _with_ask(self, intent: Intent, text: str, lowered: str, on_topic: bool) -> Intent:
        """The reading completed by what is asked: the size of a set it names, the kind of
        answer, the part of a text or the programme it asks about, the producer's case."""
        count, noun = self._set_count(lowered)
        intent = replace(intent, count=count, count_noun=noun)
        ask = self._ask(intent, lowered, on_topic)
        part = self._part(text, list(intent.regions))
        if part and ask in (Ask.LIST, Ask.FACT) and not intent.asks & {"amount", "ratio"}:
            intent, ask = replace(intent, part=part), Ask.FACT
        if intent.programmes and not (ask is Ask.LIST and self._about_programme(intent)):
            intent = replace(intent, programmes=())  # named in passing, not asked about
        topics = intent.topics
        if ask is Ask.LIST and "office" in intent.asks and not topics:
            topics = tuple(t for t in (self.model.lexicon.ask_topics.get("office"),) if t)
        profile = self._profile(intent, lowered) if ask is Ask.SCENARIO else None
        return replace(intent, ask=ask, topics=topics, profile=profile, outside=self._outside(intent, lowered))

    def _regions(self, asked: list[Place]) -> tuple[list[str], list[str], list[str]]:
        regions: list[str] = []
        named: list[str] = []
        uncovered: list[str] = []
        for place in asked:
            if place.relation in (Relation.UNCOVERED, Relation.INSIDE_PROVINCE):
                if place.name not in uncovered:
                    uncovered.append(place.name)
                continue
            for key in place.regions:
                if key not in regions:
                    regions.append(key)
            if place.relation is Relation.SAME and not place.landmark:
                named.extend(k for k in place.regions if k not in named)
        book = self.model.regions
        # A specific region makes the national overview context, not the subject; the
        # most specific region comes first (衢江 before 浙江).
        if any(book.regions[r].level is not Level.NATIONAL for r in regions):
            regions = [r for r in regions if book.regions[r].level is not Level.NATIONAL]
        depth = {Level.NATIONAL: 0, Level.PROVINCE: 1, Level.CITY: 2, Level.ZONE: 3, Level.DISTRICT: 3}
        regions.sort(key=lambda r: -depth[book.regions[r].level])
        return regions, named, uncovered

    def _document_regions(self, text: str) -> list[str]:
        """"申报指南后面有哪些附件": a phrase of one document's title names that document,
        so its region is the one asked about (generic words like 微短剧 do not count); so
        does a name only one region's texts use ("“剧组之家”怎么享受", "米轨小火车上拍")."""
        generic = self.model.lexicon.generic_words
        own = [(n, r) for n, r in self.model.own_names.items()
               if n in text and not any(g in n for g in generic if len(g) >= 2)]
        if own:
            return [max(own, key=lambda nr: len(nr[0]))[1]]
        titles = {d.id: d.title for d in self.model.documents.values()}
        for length in range(8, 3, -1):
            for i in range(0, max(0, len(text) - length + 1)):
                gram = text[i:i + length]
                if not re.fullmatch(r"[\u4e00-\u9fff]+", gram) or any(g in gram for g in generic if len(g) >= 2):
                    continue
                owners = [d for d, title in titles.items() if gram in title]
                if len(owners) == 1:
                    return [self.model.documents[owners[0]].region_key]
        return []

    def _part(self, text: str, regions: list[str]) -> str | None:
        """The longest name of a text's part (heading or list item) the question names and
        asks the contents of ("“IP建设、文化赋能”这条里具体会做些什么")."""
        if not (self.model.lexicon.contents.search(text) or "具体" in text):
            return None
        scope = {r for key in regions for r in self.model.regions.scope(key)}
        quoted = {q for m in re.finditer(r"[“「\"']([^”」\"']{2,30})[”」\"']", text) for q in (m.group(1),)}
        # named in quotes, or by a long name (a short one like 剧本奖励 is a topic, not a part)
        in_scope = {n: clause_id for n, (clause_id, _) in self.model.part_names.items()
                    if not scope or self.model.clause(clause_id).region in scope}
        names = [n for n in in_scope if n in text and (len(n) >= 6 or any(n in q for q in quoted))]
        if not names:
            names = self._part_by_opening(text, in_scope)
        return max(names, key=len) if names else None

    def _part_by_opening(self, text: str, names: dict[str, str]) -> list[str]:
        """"营商环境方面做了哪些安排": the opening words (four or more) of one part's name,
        followed by a word that refers to a part (方面, 这块, 工程), name that part — when no
        other part's name contains those words."""
        found: set[str] = set()
        for n in names:
            for length in range(len(n) - 1, 3, -1):
                opening = n[:length]
                at = text.find(opening)
                if at < 0 or not re.fullmatch(r"[\u4e00-\u9fff]+", opening):
                    continue
                if self.model.lexicon.section.search(text[at + length:]) and \
                        not any(opening in o and names[o] != names[n] for o in names):
                    found.add(n)
                break
        return sorted(found)

    def _qualifies(self, place: Place, places: list[Place]) -> bool:
        """"浙江衢州衢江区", "新乡平原示范区": a place written right before a place inside it
        only qualifies that name; it is not asked about itself."""
        book = self.model.regions
        for other in places:
            if other is place or other.span[0] - place.span[1] not in (0, 1):
                continue
            inside = any(r in book.parents(k) for k in other.regions if k in book.regions for r in place.regions)
            contains = place.relation is Relation.CONTAINS and other.relation is Relation.SAME and \
                bool(set(place.regions) & set(other.regions))  # 衢州 (⊃ 衢江) before 衢江
            if inside or contains:
                return True
        return False

    def _compared(self, lowered: str, asked: list[Place]) -> list[Place]:
        """Covered places named as the comparison, not as what is asked about: inside a
        likeness phrase ("像衢江那样"), or only in a clause that tells ("余杭好像搞了个基金")
        while another covered place stands in the clause that asks. At least one place
        stays the subject."""
        covered = [p for p in asked if p.relation is Relation.SAME and not p.landmark and not p.origin]
        if len(covered) < 2:
            return []
        likeness = [m.span() for m in self.model.lexicon.likeness.finditer(lowered)]
        asking = asking_spans(lowered, self.model.lexicon.question)

        def inside(place: Place, spans: list[tuple[int, int]]) -> bool:
            return any(start <= place.span[0] < end for start, end in spans)

        compared = [p for p in covered if inside(p, likeness)]
        if not any(inside(p, asking) for p in covered if p not in compared):
            # "在平原示范区取景，拍摄权免费吗？衢江那边是免费给的": the sentence that asks
            asking = asking_spans(lowered, self.model.lexicon.question, sentences=True)
        if any(inside(p, asking) for p in covered if p not in compared):
            compared += [p for p in covered if p not in compared and not inside(p, asking)]
        return compared if len(compared) < len(covered) else []

    def _compared_to_covered(self, lowered: str, places: list[Place]) -> bool:
        """"洛阳有没有跟郑州一样的政策": a covered region named only as the comparison."""
        for m in self.model.lexicon.likeness.finditer(lowered):
            if any(p.relation is Relation.SAME and not p.landmark and m.start() <= p.span[0] < m.end() for p in places):
                return True
        return False

    def _asked_only_about_uncovered(self, lowered: str, asked: list[Place]) -> bool:
        """"洛阳有扶持政策吗？我看郑州有": the clauses that ask name only the uncovered place;
        the covered region stands in a clause that tells."""
        asking = asking_spans(lowered, self.model.lexicon.question)

        def in_asking(place: Place) -> bool:
            return any(start <= place.span[0] < end for start, end in asking)

        covered = [p for p in asked if p.relation is Relation.SAME and not p.landmark]
        uncovered = [p for p in asked if p.relation in (Relation.UNCOVERED, Relation.INSIDE_PROVINCE)]
        return any(in_asking(p) for p in uncovered) and not any(in_asking(p) for p in covered)

    def _programmes(self, text: str, regions: list[str]) -> tuple[str, ...]:
        """Names of programmes with measures the question uses (“黄金十二条”, or a document
        named by its parts: "郑州打造“微短剧创作之都”的实施方案"), longest first."""
        found = [t for t in self.model.named_terms if _names(t, text) and self.model.programme_measures(t, regions)]
        return tuple(sorted((t for t in found if not any(t != o and t in o for o in found)), key=len, reverse=True))

    def _about_programme(self, intent: Intent) -> bool:
        """"黄金十二条都讲了些啥？" asks for a programme's contents; "三年行动计划有哪五大工程"
        asks about one part of it (a word the texts use besides the name and ask words)."""
        lex = self.model.lexicon
        if intent.asks & {"amount", "ratio", "date", "count", "deadline"} or not lex.contents.search(intent.text):
            return False
        rest = intent.topic_text
        for name in intent.programmes:
            rest = _blank_shared(rest, name)
        rest = lex.contents.sub(" ", rest)
        return not any(self.known(w) for w in self.content_terms(rest))

    def _set_count(self, lowered: str) -> tuple[int | None, str]:
        """The size of a set whose names the question asks for, and what it is of ("哪六个
        方面" → 6, 方面; "五大工程是哪五个" → 5, 工程): the count after 哪, else the last one;
        (None, "") when the question does not ask for names."""
        if not self.model.lexicon.intent_patterns["names"].search(lowered):
            return None, ""
        counts = [m for m in re.finditer(rf"(哪|那)?\s*{COUNT}\s*(?:大|个|项|类|条)\s*"
                                         r"([\u4e00-\u9fff]{0,2})", lowered)
                  if not re.match(r"月|人|小时|星期|剧组|工作|钟|天", m.group(3))  # 一个月, 二十个人: not sets
                  and not lowered[:m.start()].endswith("第")]  # 第七个: an ordinal, not a set's size
        asked = [m for m in counts if m.group(1)] or counts[-1:]
        if not asked:
            return None, ""
        count = count_value(asked[0].group(2))
        nouns = [m.group(3) for m in counts if count_value(m.group(2)) == count and m.group(3)]
        return count, nouns[0] if nouns else ""

    def _ask(self, intent: Intent, lowered: str, on_topic: bool) -> Ask:
        """The kind of answer the question wants, by the first rule that holds: kinds the
        question's words name, then where to film, then what a question about support wants."""
        if self.model.lexicon.injection.search(lowered):
            return Ask.INJECTION
        if not on_topic:
            return Ask.OFFTOPIC
        if self._asks_about_site(intent, lowered):
            return Ask.WHERE  # "米轨小火车上拍，免费吗？找谁？": the named site's own line answers
        named = self._named_ask(intent, lowered)
        if named is not None:
            return named
        if self._asks_where(intent, lowered):
            return Ask.WHERE
        return self._support_ask(intent, lowered)

    def _named_ask(self, intent: Intent, lowered: str) -> Ask | None:
        """A kind of answer the question's words name: a document, a total, the producer's
        own case, a programme's contents, the status, a comparison, how to apply, an office."""
        pattern = self.model.lexicon.intent_patterns
        has_topic = bool(intent.topics or intent.weak_topics)
        if pattern["document"].search(lowered):
            return Ask.DOCUMENT
        if self.model.lexicon.definition_ask.search(lowered) and any(t.lower() in lowered for t in self.model.defined_terms):
            return Ask.FACT  # "什么样的企业才算县内企业": the text's definition answers
        if pattern["total"].search(lowered) and (intent.support or has_topic):
            return Ask.TOTAL
        profile = self._profile(intent, lowered)
        if self._is_scenario(lowered, profile, self._names_own_figure(intent) or self._meets_minimum(intent, profile)):
            return Ask.SCENARIO
        if intent.programmes and self._about_programme(intent) and not intent.asks.intersection(MISSING_FACTS):
            return Ask.LIST  # (where to download it, whom to call: a fact about it, not its contents)
        if pattern["status"].search(lowered) and not intent.asks & {"amount", "list", "ratio"} and not pattern["list_all"].search(lowered):
            return Ask.STATUS  # "哪个已经正式生效了？": in force or not, also for several regions
        if self._compares(intent):
            return Ask.COMPARE
        if self._asks_howto(intent, lowered):
            return Ask.HOWTO
        if "person" in intent.asks:
            return Ask.FACT  # an official's name: given in the texts or not, never a list of measures
        if "office" in intent.asks:
            return Ask.LIST
        if pattern["status"].search(lowered) and not intent.asks & {"amount", "list"}:
            return Ask.STATUS
        return None

    def _compares(self, intent: Intent) -> bool:
        """Several regions side by side: two named outright (not the nation) or "各地", and
        support asked about (or a topic compared), with no uncovered place named."""
        explicit = [r for r in intent.named_regions if self.model.regions.regions[r].level is not Level.NATIONAL]
        compares = intent.support or (intent.topics and (intent.asks & {"compare", "more"} or intent.all_regions))
        return bool((len(explicit) >= 2 or intent.all_regions) and compares and not intent.uncovered)

    def _asks_howto(self, intent: Intent, lowered: str) -> bool:
        """How or where to apply, with a procedure, deadline, form or contact asked for."""
        pattern = self.model.lexicon.intent_patterns
        strict = intent.asks & {"process", "deadline", "form", "contact", "address"}
        # "怎么申请、需要什么条件": the conditions are answered, the missing procedure noted
        other = intent.support and (pattern["condition"].search(lowered) or intent.asks & {"amount", "ratio"})
        return bool(pattern["howto"].search(lowered) and strict and not other)

    def _asks_about_site(self, intent: Intent, lowered: str) -> bool:
        """A named filming site asked whether it can be used, on what terms ("免费吗", "怎么
        预约"), or how far it is built — not an amount or a share of support."""
        return any(p.landmark for p in intent.places) and bool(self.model.lexicon.site_state.search(lowered)) \
            and not intent.asks & {"amount", "ratio"} and not specific_of(intent) \
            and not self.model.lexicon.likeness.search(lowered)  # ("像天脊龙门那种": a kind of place)

    def _asks_where(self, intent: Intent, lowered: str) -> bool:
        """Where to film (not about support, nor a specific fact unless it asks for a list)."""
        lex = self.model.lexicon
        # A question about one named site (樱桃沟…在哪个区？) is a fact about it, not "where to
        # film" — unless it asks about the site's state (建好了吗、现在能拍吗).
        landmark = any(p.landmark for p in intent.places)
        if landmark and lex.site_state.search(lowered) and not intent.support and not specific_of(intent):
            return True
        where = (lex.intent_patterns["where_to_film"].search(lowered) and "compare" not in intent.asks
                 and (not landmark or "list" in intent.asks))
        return bool(where and (not specific_of(intent) or "list" in intent.asks) and not intent.support)

    def _support_ask(self, intent: Intent, lowered: str) -> Ask:
        """What a question about support wants: who may apply, everything, whether there is
        any, how much, who qualifies; else a fact the texts may state."""
        pattern = self.model.lexicon.intent_patterns
        if pattern["may_apply"].search(lowered):
            return Ask.CONDITION if intent.support else Ask.FACT
        if pattern["list_all"].search(lowered) and intent.support and "count" not in intent.asks:
            return Ask.LIST
        # "有没有像衢江那样免费住几天的": the count is the compared region's; whether there is any is asked
        if pattern["exists"].search(lowered) and (intent.support or intent.topics) \
                and (not specific_of(intent) or intent.compared):
            return Ask.LIST
        if intent.asks & {"amount", "ratio"} and (intent.support or intent.topics):
            return Ask.AMOUNT
        if pattern["condition"].search(lowered) and intent.support:
            return Ask.CONDITION
        return Ask.FACT

    # ------------------------------------------------------------------ scenarios
    def _names_own_figure(self, intent: Intent) -> bool:
        """Does the question name a measure of the asked region by its figure ("衢江那个8万")?"""
        rows = self.model.measures_for(list(intent.regions))
        return any(f in f"{m.title} {m.money}" for f in intent.figures for m in rows)

    def _meets_minimum(self, intent: Intent, profile: ProducerProfile) -> bool:
        """Does the question state a figure of a kind that a minimum of the asked region's
        measures is set on ("一共150间夜，能拿多少住宿补贴？" and "累计达到200间夜")?"""
        return bool(profile.quantities) and any(
            c.type == "quantity_min" and c.quantity in profile.quantities
            for m in self.model.measures_for(list(intent.regions)) for c in m.conditions)

    def _is_scenario(self, lowered: str, profile: ProducerProfile, names_figure: bool = False) -> bool:
        """A producer's own case: facts that decide conditions (script selection, share
        shot locally, registration, company stage …), told about oneself or in number, or
        told beside the measure asked for by its figure ("省级项目不是总局的，那个8万能拿吗")."""
        pattern = self.model.lexicon.intent_patterns
        wants = bool(pattern["scenario_ask"].search(lowered) or pattern["list_all"].search(lowered)
                     or pattern["exists"].search(lowered))
        facts = profile.fact_fields()
        decisive = [f for f in facts if f in DECISIVE_FACTS] + (["shooting"] if profile.shooting is False else [])
        own = bool(pattern["scenario_self"].search(lowered))
        # a plan said not to be so ("还没上线，能先拿吗") is always the asker's own case
        return wants and ((own and (decisive or len(facts) >= 2)) or len(decisive) >= 2 or len(facts) >= 3
                          # "片子在衢江拍的，但立项备案是在杭州做的…能拿吗": where the work is filed, and one more fact
                          or ("registered_in" in decisive and len(facts) >= 2)
                          or bool(decisive and names_figure) or bool(profile.no_plans))

    def _profile(self, intent: Intent, lowered: str) -> ProducerProfile:
        """The producer's own case as the question tells it (what it does not tell stays unknown)."""
        words = self.model.lexicon.profile
        negations = (*words.negations, "够不")
        company = self._company(intent, lowered, negations)
        crew = words.patterns["crew"].search(lowered)
        capital = words.patterns["capital"].search(lowered)
        months = words.patterns["insurance_months"].search(lowered)
        elsewhere = self._shot_elsewhere(intent, lowered)
        share = _share(lowered, words.patterns["shoot_all"], words.patterns.get("shoot_parts"))
        figures = _stated(lowered, words)
        if share is None and 0 < figures.get("shoot_days", 0) <= figures.get("total_days", 0):
            share = round(100 * figures["shoot_days"] / figures["total_days"])  # "在宁城拍了8天，一共拍15天"
        return ProducerProfile(
            regions=list(intent.regions),
            shooting=False if elsewhere else (True if words.shooting.search(lowered) else None),
            local_theme=_told(lowered, words.local_theme, words.not_local_theme),
            rnd_grew=_told(lowered, words.rnd_grew, words.rnd_declined),
            # "全在横店拍": all of it shot elsewhere is none of it in the region
            shoot_share=0 if elsewhere and share == 100 else share,
            script_selected_by=self._script_selected(lowered, negations),
            park_level=self._park_level(lowered, negations),
            company=company.stage,
            established=company.established,
            above_scale=company.above_scale,
            registered_in=company.registered_in,
            crew_size=int(crew.group(1)) if crew and crew.group(1).isdigit() else (int(cn_number(crew.group(1))) if crew else None),
            coming_from=self._coming_from(intent, lowered),
            event_place=self._event_place(intent, lowered),
            # "第一次来，不过已经跟组了": in a crew wins over a first visit
            job_seekers=_told(lowered, words.job_seekers, words.in_crew),
            graduates=True if words.graduates.search(lowered) else None,
            capital_wan=(float(capital.group(1)) * (10000 if capital.group(2) == "亿" else 1)) if capital else None,
            insurance_months=int(months.group(1)) if months else None,
            needs=[k for k, rx in words.needs.items() if rx.search(lowered)],
            plans=[k for k, rx in words.plans.items() if _affirmed(rx, lowered, words.negations)],
            no_plans=[k for k, rx in words.plans.items()
                      if _negated(rx, lowered, words.negated_deed) and not _affirmed(rx, lowered, words.negations)],
            quantities=figures,
        )

    def _coming_from(self, intent: Intent, lowered: str) -> str | None:
        """Where the crew comes from: a place named as the origin, or just "from elsewhere"."""
        words = self.model.lexicon.profile
        origin = next((p.name for p in intent.places if p.origin), None)
        if origin is None and words.outside_crew.search(lowered):
            origin = words.elsewhere
        return origin

    def _company(self, intent: Intent, lowered: str, negations: tuple[str, ...]) -> _Company:
        """The producer's company: its stage, size and where it is (or will be) registered."""
        words = self.model.lexicon.profile
        registered = self._registered_in(intent, lowered)
        company = None
        moving = _affirmed(words.moving_in, lowered, negations)  # not "不打算迁过去"
        above = _affirmed(words.above_scale, lowered, negations) if words.above_scale.search(lowered) else None
        # "2019年就在衢江注册了…新注册公司那个奖励能申请吗": a stated registration long ago is a
        # fact about the company; 新注册 there names the measure asked about
        told_established = bool(words.established.search(lowered))
        if moving and intent.regions:  # "把公司迁到衢江重新注册": a new company there
            company, registered = "new", intent.regions[0]
        elif _affirmed(words.new_company, lowered, negations) and not told_established:
            company = "new"
        elif above:
            company = "first_above_scale"
        if company is None and words.no_company.search(lowered):
            company = "none"  # "我是个人编剧，没开公司"
        established = True if told_established and company != "new" else None
        if established and company is None:
            company = "existing"
        return _Company(company, established, above, registered)

    def _script_selected(self, lowered: str, negations: tuple[str, ...]) -> str | None:
        """The level that selected the script, or the "none" word when it was not selected."""
        words = self.model.lexicon.profile
        if not words.script_words.search(lowered):
            return None
        if words.script_not_selected.search(lowered):
            return words.none_words[0]
        if words.script_selected.search(lowered):
            # "入选了省里的扶持项目，不是总局的": a level said with a negation is not it
            return next((level for level, rx in words.levels.items()
                         if _affirmed(rx, lowered, (*negations, "不是", "并非", "而非"))), None)
        return None

    def _park_level(self, lowered: str, negations: tuple[str, ...]) -> str | None:
        """The level the producer's park or base was recognised at."""
        words = self.model.lexicon.profile
        if words.park_words.search(lowered) and words.recognised_words.search(lowered):
            return next((level for level, rx in words.levels.items() if _affirmed(rx, lowered, negations)), None)
        return None

    def _shot_elsewhere(self, intent: Intent, lowered: str) -> bool:
        """"戏是在横店拍的", "在衢州柯城区拍": a place outside the asked regions named as where
        the shooting happens (a shooting word right after it)."""
        shoot = self.model.lexicon.profile.shoot_after
        if self._going_to_asked(intent, lowered):
            return False  # "之前在杭州拍过，这次想来衢江拍": the asked region is where this shoot goes
        for place in intent.places:
            inside = place.landmark or (place.relation is Relation.SAME and set(place.regions) & set(intent.regions))
            if not inside and shoot.match(lowered, place.span[1]):
                return True
        return False

    def _going_to_asked(self, intent: Intent, lowered: str) -> bool:
        """The asker goes to the region asked about ("想来衢江拍", "换到衢江"): named after a
        word of going, that region is where the shoot they ask about happens."""
        going = self.model.lexicon.profile.going_before
        return bool(intent.regions) and any(
            p.relation is Relation.SAME and set(p.regions) & set(intent.regions)
            and going.search(lowered[max(0, p.span[0] - 3):p.span[0]]) for p in intent.places)

    def _outside(self, intent: Intent, lowered: str) -> tuple[str, ...]:
        """Places where the asker shoots that lie outside every asked region and that no
        text covers ("开封拍摄能套用郑州的政策吗", "我们在衢州柯城区，也在柯城拍"), any mention
        of them counting; none when the asked region is named as a shooting place too
        ("之前在杭州拍过，这次想来衢江拍")."""
        pattern = self.model.lexicon.intent_patterns
        wants = pattern["scenario_ask"].search(lowered) or pattern["covers_ask"].search(lowered) or intent.support
        if not intent.regions or not wants or self._registered_in(intent, lowered) in intent.regions:
            return ()  # a company registered in the asked region is a case to judge, not a place outside
        words = self.model.lexicon.profile
        shoot, placed, before = words.shoot_after, words.placed_before, words.shoot_before

        def shot_at(place: Place) -> bool:
            """Named where a clause starts or after 在/去/到 …, a shooting word right after; or,
            in English, right after "shooting in"."""
            name = place.name
            names = {name.lower(), name.lower().rstrip("区县市") if len(name) > 2 else name.lower(),
                     lowered[slice(*place.span)]}
            return any((shoot.match(lowered, m.end()) and placed.search(lowered[max(0, m.start() - 5):m.start()]))
                       or before.search(lowered[max(0, m.start() - 20):m.start()])
                       for n in names if n for m in re.finditer(re.escape(n), lowered))

        asked = [p for p in intent.places if p.relation is Relation.SAME and set(p.regions) & set(intent.regions)]
        if self._going_to_asked(intent, lowered) or any(shot_at(p) for p in asked):
            return ()  # the asked region is where they (will) shoot
        found = [p.name for p in intent.places
                 if p.relation in (Relation.UNCOVERED, Relation.INSIDE_PROVINCE) and not p.origin and not p.landmark
                 and not set(p.regions) & set(intent.regions) and shot_at(p)]
        return tuple(dict.fromkeys(found))

    def _event_place(self, intent: Intent, lowered: str) -> str | None:
        """Where the producer holds an expo or forum, when not in the region asked about: the
        place an event verb follows ("在郑州办个交易会", "在新乡市区的会展中心办"): a covered
        region's key, a place inside one as that region, else the place's own name (a city
        holding the zone is not the zone)."""
        after = self.model.lexicon.profile.event_after
        for place in intent.places:
            if place.origin or not after.match(lowered, place.span[1]):
                continue
            inside = place.relation in (Relation.SAME, Relation.INSIDE) and place.regions
            where = place.regions[0] if inside else place.name
            return None if intent.regions and where == intent.regions[0] else where  # (held where asked: no fact)
        return None

    def _registered_in(self, intent: Intent, lowered: str) -> str | None:
        words = self.model.lexicon.profile
        # a place named as where the company is registered ("注册在福州") wins over a mention of
        # local companies ("跟霞浦本地企业没有合作")
        for place in intent.places:
            if self._registration_place(lowered, place):
                if place.relation is Relation.SAME and place.regions:
                    return place.regions[0]
                return place.name
        if words.local_company.search(lowered) and intent.regions:
            return intent.regions[0]
        if words.outside_company.search(lowered):
            return words.elsewhere
        # "company registered in Dongyang": a place the gazetteer does not know is not a
        # covered region, so the company is registered elsewhere ("注册在哪" asks, it does not tell)
        for marker in words.registered:
            at = lowered.find(marker.strip())
            rest = lowered[at + len(marker.strip()):at + len(marker.strip()) + 6].strip() if at >= 0 else ""
            if rest and not re.match(r"(哪|什么|where|which|what)", rest) and re.match(r"[a-z\u4e00-\u9fff]", rest):
                return words.elsewhere
        return None

    def _registration_place(self, lowered: str, place: Place) -> bool:
        """Is ``place`` named as where the company is registered ("上海的公司", "注册在衢江")?
        "不在黟县注册" is not."""
        words = self.model.lexicon.profile
        start, end = place.span
        said = said_before(lowered, start, (*words.registered, *words.registered_known_only)) \
            or _followed_by(lowered, end, words.registered_after)
        return said and not said_before(lowered, start, (*(n + "在" for n in words.negations), *words.negations))

    # ------------------------------------------------------------------ follow-ups
    def _follow(self, intent: Intent, previous: Intent) -> Intent:
        """Fill in what an elliptical follow-up leaves out from the previous question."""
        if previous.ask in (Ask.INJECTION, Ask.OFFTOPIC):
            return intent
        # Elliptical: a follow-up marker ("那…呢"), or a question word with nothing of its own
        # the texts talk about ("多大面积？"). "明天会下雨吗？" has neither and stays off-topic.
        own = [w for w in self.content_terms(intent.topic_text) if len(w) >= 2 and self.known(w)]
        elliptical = bool(self.model.lexicon.followup.search(intent.text)) or (not own and bool(intent.asks))
        if intent.ask is Ask.OFFTOPIC and not elliptical:
            return intent
        elliptical = elliptical or not own
        changes = _inherited_places(intent, previous)
        regions: tuple[str, ...] = changes.get("regions", ())
        # "嘉宾的差旅费能算进去吗？": what the previous measure covers, not a new topic (住宿)
        inclusion = bool(previous.topics) and bool(self.model.lexicon.inclusion.search(intent.text))
        # "那最高多少？写本土题材的呢" after "剧本奖励": words only the previous topic's measures
        # use narrow that topic; they do not switch to the topic they match on their own
        if intent.topics and previous.topics and self._narrows(intent, previous, regions or intent.regions):
            intent = replace(intent, topics=(), weak_topics=())
        # "这个文件生效了吗？": a question about the document keeps its place, not its topic
        about_text = intent.ask in (Ask.STATUS, Ask.DOCUMENT)
        if (not intent.topics or inclusion) and (elliptical or regions or inclusion) and not about_text and \
                (previous.topics or previous.weak_topics or elliptical):
            changes |= _inherited_topics(intent, previous, changes.get("topic_text", intent.topic_text))
        topics: tuple[str, ...] = changes.get("topics", ())
        ask = None
        if inclusion:  # ("哪些费用能算进去": which costs the one measure covers, not a list of measures)
            changes |= {"ask": Ask.FACT, "asks": (intent.asks | previous.asks) - {"list"}}
            ask = Ask.FACT
        elif intent.ask in (Ask.FACT, Ask.OFFTOPIC) and (topics or elliptical):
            ask = _inherited_ask(intent, previous)
            changes |= {"ask": ask, "asks": intent.asks | previous.asks,
                        "support": changes.get("support", intent.support) or previous.support}
            if ask is Ask.SCENARIO and previous.profile is not None:
                changes["profile"] = previous.profile.model_copy(update={"regions": list(changes.get("regions") or intent.regions)})
        if intent.ask is Ask.OFFTOPIC and "ask" not in changes:
            changes["ask"] = Ask.FACT
        if not changes:
            return intent
        return replace(intent, **changes, followup=FollowUp(tuple(regions), tuple(topics), ask))

    def _narrows(self, intent: Intent, previous: Intent, regions: tuple[str, ...]) -> bool:
        """Does a follow-up name something (a word of its own) that the previous topic's
        measures state and the measures of the topics it matches by itself do not?"""
        before = [m.quote for m in self.model.measures_for(regions, previous.topics)]
        now = [m.quote for m in self.model.measures_for(regions, intent.topics)
               if not set(m.topics) & set(previous.topics)]
        own = [w for w in self.content_terms(intent.topic_text) if len(w) >= 2 and self.known(w)]
        return any(any(w in q for q in before) and not any(w in q for q in now) for w in own)


def _inherited_places(intent: Intent, previous: Intent) -> dict:
    """A follow-up that names no place asks about the previous question's regions (and
    the site it named: "啥时候能进去拍"): the changes to the follow-up's reading."""
    if intent.regions or intent.uncovered or intent.all_regions or not previous.regions:
        return {}
    changes: dict = {"regions": previous.regions, "named_regions": previous.named_regions}
    sites = [p for p in previous.places if p.landmark]
    if sites and not any(p.landmark for p in intent.places):
        changes["topic_text"] = " ".join([intent.topic_text, *(p.name for p in sites)]).strip()
        changes["places"] = (*intent.places, *sites)
    return changes


def _inherited_topics(intent: Intent, previous: Intent, topic_text: str) -> dict:
    """The previous question's topics, its topic words after ``topic_text`` (the follow-up's,
    with any site it inherited) and its search words: the changes to the follow-up's reading."""
    return {"topics": previous.topics, "weak_topics": previous.weak_topics,
            "topic_text": f"{topic_text} {previous.topic_text}".strip(),
            "expansions": tuple(dict.fromkeys([*intent.expansions, *previous.expansions])),
            "support": intent.support or previous.support}


def _inherited_ask(intent: Intent, previous: Intent) -> Ask:
    """What an elliptical follow-up asks: its own question word wins ("具体比例是多少？" asks
    an amount); otherwise what the previous question asked ("那剧本呢？" after a list)."""
    specific = {"count", "date", "duration", "location", "process", *MISSING_FACTS}
    ask = (Ask.AMOUNT if intent.asks & {"amount", "ratio"} else
           Ask.CONDITION if "condition" in intent.asks else
           Ask.FACT if intent.asks & specific else previous.ask)
    if intent.topics and ask in (Ask.AMOUNT, Ask.CONDITION) and not intent.asks & {"amount", "ratio", "condition"}:
        ask = Ask.LIST  # "那出海呢？" after "剧本奖励多少？": what is there on the new topic
    return ask


def asking_spans(lowered: str, question: re.Pattern[str], sentences: bool = False) -> list[tuple[int, int]]:
    """The spans of the clauses that ask (a question word or mark in them); with
    ``sentences``, of the whole sentences that ask."""
    unit = r"[^。！？!?；;\n]+[。！？!?；;]?" if sentences else r"[^，,。！？!?；;\n]+[，,。！？!?；;]?"
    return [m.span() for m in re.finditer(unit, lowered) if question.search(m.group())]


def asking_parts(intent: Intent, question: re.Pattern[str]) -> list[str]:
    """The clauses that ask, in order ("…，衢江的取景拍摄补贴能拿吗？另外开机能帮忙吗？"),
    without what the asker tells about themselves; the whole topic text when none asks."""
    spans = asking_spans(intent.topic_text, question)
    return [intent.topic_text[a:b] for a, b in spans] or [intent.topic_text]


def _slip(typed: str, meant: str) -> bool:
    """Could ``typed`` be a slip of the pinyin input method for ``meant``: both Chinese
    characters, neither a numeral, sounding alike as input methods' fuzzy pinyin hears them
    (关 guan for 光 guang, 至 zhi for 子 zi)."""
    if not all("\u4e00" <= c <= "\u9fff" and c not in NUMERALS for c in (typed, meant)):
        return False
    from pypinyin import lazy_pinyin

    return _fuzzy(lazy_pinyin(typed)[0]) == _fuzzy(lazy_pinyin(meant)[0])


def _fuzzy(sound: str) -> str:
    """A syllable as fuzzy pinyin hears it: zh/ch/sh as z/c/s, -ng as -n."""
    return re.sub(r"^([zcs])h", r"\1", re.sub(r"ng$", "n", sound))


def _followed_by(lowered: str, end: int, words: tuple[str, ...]) -> bool:
    return any(lowered.startswith(w.lower(), end) for w in words)


def _names(name: str, text: str) -> bool:
    """Does ``text`` name the programme ``name``: in full, or (a long title) by at least
    two of its parts ("微短剧创作之都" + "实施方案" for 《郑州市打造“微短剧创作之都”工作实施方案…》)."""
    if name in text:
        return True
    parts = [p for p in re.split(r"[“”《》（）()\s—\d年]+", name) if len(p) >= 4]
    hits = sum(any(p[i:i + 4] in text for i in range(len(p) - 3)) for p in parts)
    return len(parts) >= 2 and hits >= 2


def _blank_shared(text: str, name: str, min_len: int = 3) -> str:
    """``text`` with every run of 3+ characters it shares with ``name`` blanked out."""
    chars = list(text)
    i = 0
    while i < len(text):
        for length in range(min(len(text) - i, len(name)), min_len - 1, -1):
            if text[i:i + length] in name:
                chars[i:i + length] = " " * length
                i += length - 1
                break
        i += 1
    return "".join(chars)


def specific_of(intent: Intent) -> frozenset[str]:
    """The specific facts a question asks for (a count, a date, an amount …)."""
    return intent.asks & {"amount", "count", "date", "deadline", "ratio", "duration"}


ORDINAL = re.compile(r"第\s*(\d+|[一二三四五六七八九十]+)\s*(?:条|个|项|点|种|部分|类)")
POINTER = re.compile(r"([\u4e00-\u9fff]{2,6}?)(?:那个|这个|那条|这条|那项|这项|那一条|那一项)")
ITEM_MARKS = re.compile(r"(?:^|[\s：:；;。，,])(?:\d{1,2}\s*[.、．)）]|[（(]\d{1,2}[)）]|[①-⑳])\s*")


def answer_items(text: str) -> list[str]:
    """The items an answer enumerated, in order: numbered ("1. 剧本创作；2. …", ①…) or, else,
    the longest 、 list after a colon ("八大行动：文旅赋能、法治传播、…")."""
    text = re.sub(r"\[\d+\]|\*\*", "", text)
    marks = list(ITEM_MARKS.finditer(text))
    if len(marks) >= 2:
        ends = [m.start() for m in marks[1:]] + [len(text)]
        return [re.split(r"[；;。\n]", text[m.end():end])[0].strip() for m, end in zip(marks, ends, strict=True)]
    lists = [part.split("、") for part in re.split(r"[：:]", text)[1:]]
    best = max(lists, key=len, default=[])
    return [re.split(r"[。；;\n]", x)[0].strip() for x in best] if len(best) >= 2 else []


def referred_item(question: str, previous_answer: str | None) -> str | None:
    """The item of the previous answer a follow-up points at: by its number ("第四条") or by
    a word of it before 那个 ("美食那个")."""
    if not previous_answer:
        return None
    items = answer_items(previous_answer)
    ordinal = ORDINAL.search(question)
    if ordinal and items:
        n = count_value(ordinal.group(1))
        return items[n - 1] if n and 0 < n <= len(items) else None
    pointer = POINTER.search(question)
    if pointer and items:
        word = pointer.group(1)[-2:]
        matching = [x for x in items if word in x]
        return matching[0] if len(matching) == 1 else None
    return None


def _previous_answer(history: list[dict]) -> str | None:
    for turn in reversed(history):
        if isinstance(turn, dict) and turn.get("role") == "assistant" and isinstance(turn.get("content"), str):
            return turn["content"]
    return None


def _previous_question(history: list[dict]) -> str | None:
    for turn in reversed(history):
        if isinstance(turn, dict) and turn.get("role") == "user" and isinstance(turn.get("content"), str):
            if turn["content"].strip():
                return turn["content"]
    return None


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            chars[i] = " "
    return "".join(chars)


def _affirmed(pattern: re.Pattern[str], lowered: str, negations: tuple[str, ...]) -> bool:
    """``pattern`` occurs in ``lowered`` without a negation just before it ("没做过出海")."""
    for m in pattern.finditer(lowered):
        before = lowered[max(0, m.start() - 4):m.start()]
        if not any(n in before for n in negations):
            return True
    return False


def _negated(pattern: re.Pattern[str], lowered: str, negation: re.Pattern[str]) -> bool:
    """``pattern`` occurs right after a negation of the deed itself (``negation``: "还没上线",
    "没做过出海", "未出海") — not after one of something else ("不知道播放量")."""
    return any(negation.search(lowered[max(0, m.start() - 4):m.start()]) for m in pattern.finditer(lowered))


def _told(lowered: str, yes: re.Pattern[str], no: re.Pattern[str]) -> bool | None:
    """False when ``no`` is said, else True when ``yes`` is, else unknown."""
    return False if no.search(lowered) else (True if yes.search(lowered) else None)


def _stated(lowered: str, words: ProfileWords) -> dict[str, float]:
    """The case's own figures by kind of quantity ("在宁城拍了8天" → shoot_days 8). Every day
    of a shoot that is all in the region ("全在建水拍，一共40天") is a day there, and the part
    of a whole ("一共拍了30天，有18天在建水") is the days there."""
    got = {kind: v for kind, q in words.quantities.items() if (v := q.stated(lowered)) is not None}
    parts = words.patterns.get("shoot_parts")
    if "shoot_days" not in got and parts and (m := parts.search(lowered)) and "场" not in m.group(0):  # scenes are not days
        got.setdefault("total_days", float(m.group(1)))
        got["shoot_days"] = float(next(g for g in m.groups()[1:] if g))
    if "shoot_days" not in got and "total_days" in got and words.patterns["shoot_all"].search(lowered):
        got["shoot_days"] = got["total_days"]
    return got


def _share(lowered: str, shoot_all: re.Pattern[str], parts: re.Pattern[str] | None = None) -> int | None:
    """Share of scenes shot in the region: "80%", "八成", "全部在…拍", "拍了20天，6天在…",
    "一共拍了30天，园区里拍了12天"."""
    if parts and (m := parts.search(lowered)):
        part = int(next(g for g in m.groups()[1:] if g))
        if 0 < part <= int(m.group(1)):
            return round(100 * part / int(m.group(1)))
    m = re.search(r"(\d{1,3})\s*%", lowered)
    if m and int(m.group(1)) <= 100:
        return int(m.group(1))
    m = re.search(r"百分之([一二三四五六七八九十百]+)", lowered)
    if m:
        return min(100, int(cn_number(m.group(1))))
    m = re.search(r"([一二三四五六七八九])成", lowered)
    if m:
        return CN_DIGITS[m.group(1)] * 10
    if shoot_all.search(lowered):
        return 100
    if re.search(r"(一半|半数)[^，。；]{0,6}(拍|取景)", lowered):
        return 50
    return None
