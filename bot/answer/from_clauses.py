"""Answers from retrieved clauses: facts the policy table does not hold (汉唐商业街投资多少,
浙江2024年发证多少部, 深圳的修订版从哪天实施 …), behind a relevance gate.

Given the intent and the retrieved clauses of each region it names, the composer picks
the sentences that answer each part of the question and decides whether the evidence
really answers what was asked: a deadline needs a deadline, an amount an amount, and the
topic the question names (剧本, 住宿 …) must be what the chosen clause is about —
otherwise the answer is "not covered" instead of whatever shares a keyword.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from bot.answer.composer import Composer
from bot.answer.draft import Bullets, Draft, DraftBuilder, Paragraph, Source, Span, Verdict
from bot.answer.evidence import MONEY, RATIO, Evidence, Ranker, TermWeights, sentences
from bot.answer.intent import MISSING_FACTS, Intent
from bot.answer.rows import measure_item, no_figure_note, office_note
from bot.answer.templates import Templates
from bot.models import Clause
from bot.policy.book import PolicyModel
from bot.retrieve.hybrid import Hit

MIN_COVERAGE = 0.35  # share of the question's term weight the evidence must contain
HEADING_PREFIX = re.compile(r"(（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、|[①-⑳]|\d+[.．])[^，。]{0,20}。")
MIN_SENTENCE = 8
STRICT_ASKS = (*MISSING_FACTS, "process")  # (a procedure too: "申报", "窗口" must be in the evidence)
FACT_ASKS = ("date", "count", "duration")  # needed in the evidence
PREFERRED_ASKS = ("office",)  # preferred in the evidence when some sentence has it
MAX_LIST = 4
MAX_ITEMS = 10
MAX_REDIRECT = 8
MAX_ITEM_CHARS = 400  # a labelled paragraph quoted whole up to this length
# A list item that starts with its own name: "“跟着微短剧来科普”创作计划：…", "文旅赋能：…".
LIST_ITEM = re.compile(r"^[^。：:，]{2,24}[：:]")
# "三、申报材料", "（二）受理地点", "5. 基地场租补贴": a heading's number, then its name
HEADING_NUMBER = re.compile(r"^\s*(?:第[一二三四五六七八九十百零\d]+[条章节编]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])\s*")
SECTION_NAME = (2, 12)  # a section's name, in characters (longer "headings" are list items)
MAX_SECTION = (12, 1500)  # clauses and characters a whole-section answer may quote
ITEM_LABEL = re.compile(r"(\([一二三四五六七八九十\d]+是?\)|[①-⑳])$")


@dataclass(frozen=True)
class Gap:
    """Something a question asks that the evidence does not give: a kind of fact
    (``what``: 申报截止时间) or a whole sentence (no document covers the topic)."""

    what: str | None = None
    sentence: str | None = None


@dataclass
class Part:
    text: str
    asks: set[str]
    terms: dict[str, float]
    # the formal words of its colloquial ones ("到账" → 兑现 即申即享): they choose the related
    # sentence a refusal shows, never the answer
    related: dict[str, float] = field(default_factory=dict)


@dataclass
class PartAnswer:
    chosen: list[Evidence]
    gaps: list[Gap]
    no_figure: list[Evidence]
    decisive: bool  # a gap that makes the whole question unanswered


@dataclass(frozen=True)
class Statement:
    text: str  # a verbatim sentence of ``clause``
    clause: Clause
    region: str | None = None


@dataclass
class Reading:
    """What the retrieved clauses give for a question, gathered over its parts and regions."""

    statements: list[Statement] = field(default_factory=list)  # sentences that answer
    gaps: list[Gap] = field(default_factory=list)
    no_figure: list[Evidence] = field(default_factory=list)  # support stated without a figure
    related: list[Statement] = field(default_factory=list)  # context for a refusal
    sections: list[tuple[str | None, str, list[Clause]]] = field(default_factory=list)  # (region, heading, clauses)
    decisive: bool = False  # a gap that makes the whole question unanswered


def _parent_key(clause: Clause) -> tuple | None:
    """What makes clauses items of one list: numbered items of one parent, or named
    paragraphs ("X：…") of one section."""
    m = ITEM_LABEL.search(clause.label)
    if m:
        return (clause.doc_id, clause.label[: m.start()])
    if clause.label.startswith("段") and LIST_ITEM.match(clause.text):
        return (clause.doc_id, tuple(clause.heading_path))
    return None


class ClauseComposer(Composer):
    def __init__(self, model: PolicyModel, templates: Templates, weights: TermWeights) -> None:
        super().__init__(model, templates, weights)
        self.ranker = Ranker(model.lexicon, model.topics.ascii_siblings())
        lex = model.lexicon
        self._list_question = lex.facts["list_question"]
        self._part_split = lex.facts["part_split"]

    # ----------------------------------------------------------------- parts
    def parts(self, intent: Intent) -> list[Part]:
        """Sub-questions: "投资多少？在哪个片区？" asks two things about one topic."""
        text = intent.query_text or intent.search_text
        pieces = [p for p in self._part_split.split(intent.topic_text) if p.strip()] or [text]
        whole = self.terms(text)
        lex = self.model.lexicon
        result: list[Part] = []
        for piece in pieces:
            asks = set(lex.asks(piece.lower()))
            terms = self.terms(piece)
            if not terms and not asks:
                continue
            formal = self.terms(" ".join(lex.colloquial_expansions(piece)))
            result.append(Part(piece, asks or set(intent.asks), terms or whole, formal))
        if len(result) > 1:
            result = [p for p in result if p.terms]
        return result or [Part(text, set(intent.asks), whole, self.terms(" ".join(lex.colloquial_expansions(text))))]

    # ----------------------------------------------------------------- compose
    def compose(self, intent: Intent, hits_by_region: dict[str | None, list[Hit]]) -> Draft:
        if intent.part and (named := self._named_part(intent)) is not None:
            return named
        found = self._read(intent, hits_by_region)
        statements = _in_reading_order(_dedupe(_whole_items(found.statements)))
        if found.sections:
            return self._sections(found.sections, statements)
        gaps, related = found.gaps, found.related
        if found.decisive and statements:
            # What was answered becomes context of the refusal, not an answer.
            related, statements = statements[:2], []
        off_topic = bool(statements) and not self._on_topic(intent, statements)
        if off_topic:
            related, statements = statements[:1], []
            gaps = [Gap(sentence=self._topic_gap(intent))]
        if not statements:
            draft = self.refusal(intent, gaps, related, [r for r in hits_by_region if r])
            return self._with_redirect(draft, intent) if off_topic else draft
        return self._answer(intent, statements, found.no_figure, gaps)

    def _read(self, intent: Intent, hits_by_region: dict[str | None, list[Hit]]) -> Reading:
        """What each region's retrieved clauses give for each part of the question."""
        found = Reading()
        parts = self.parts(intent)
        for region, hits in hits_by_region.items():
            if not hits:
                found.gaps.append(Gap(sentence=self.t("not_covered_place", place=self.model.regions.label(region))))
                continue
            for part in parts:
                self._read_part(found, region, part, hits)
        return found

    def _read_part(self, found: Reading, region: str | None, part: Part, hits: list[Hit]) -> None:
        """One part in one region: a whole section or procedure when it asks for one, else
        the sentences that answer it — or what is missing, and the best related sentence."""
        if definition := self._definition(part, hits):
            found.statements.append(Statement(definition[1], definition[0], region))
            return
        section = self._section(part, hits) or self._procedure(part, hits)
        if section is not None:
            if section[1] not in [m for _, _, m in found.sections]:
                found.sections.append((region, *section))
            return
        answer = self._answer_part(part, hits)
        found.decisive = found.decisive or answer.decisive
        if answer.chosen:
            found.statements.extend(Statement(e.sentence, e.clause, region) for e in answer.chosen)
            found.no_figure.extend(answer.no_figure)
        else:
            found.gaps.extend(answer.gaps)
            best = self.ranker.rank({**part.terms, **part.related}, set(), hits)
            if best and best[0].coverage > 0 and not found.related:
                found.related.append(Statement(best[0].sentence, best[0].clause, region))

    def _answer(self, intent: Intent, statements: list[Statement], no_figure: list[Evidence],
                gaps: list[Gap]) -> Draft:
        draft = DraftBuilder("clauses", tuple(dict.fromkeys(s.region for s in statements if s.region)))
        regions = list(dict.fromkeys(s.region for s in statements))
        if statements:  # the answer opens with what the text says, not an item's heading
            statements = [replace(statements[0], text=_without_heading(statements[0].text)), *statements[1:]]
        for region in regions:
            spans = [Span(s.text, Source(s.clause.clause_id, s.text)) for s in statements if s.region == region]
            if region and len(regions) > 1:
                spans.insert(0, Span(f"【{self.model.regions.label(region)}】"))
            draft.add(Paragraph(tuple(spans)))
        if no_figure:
            draft.note(no_figure_note(self.model, self.t, [e.sentence for e in no_figure]))
        for gap in dict.fromkeys(gaps):
            draft.note(gap.sentence or self.t("part_not_covered", what=gap.what))
        return draft.build(Verdict.ANSWERED)

    def _named_part(self, intent: Intent) -> Draft | None:
        """What a named part of a text says: a list item's whole text ("三是实施短剧精品培优工程。
        …"), or every clause of a section ("（三）IP建设、文化赋能")."""
        name = intent.part
        clause_id, item = self.model.part_names[name]
        clause = self.model.clause(clause_id)
        if item:
            statements = [Statement(s, clause, clause.region) for s in sentences(item)]
            return self._answer(intent, statements, [], [])
        for depth, heading in enumerate(clause.heading_path):
            if HEADING_NUMBER.sub("", heading).strip(" 。：:") == name:
                prefix = tuple(clause.heading_path[:depth + 1])
                members = [c for c in self.model.clauses if c.doc_id == clause.doc_id and c.chunk_id == c.clause_id
                           and tuple(c.heading_path[:len(prefix)]) == prefix]
                if members and len(members) <= MAX_SECTION[0] and sum(len(c.text) for c in members) <= MAX_SECTION[1]:
                    return self._sections([(clause.region, heading, members)], [])
        return None

    def _sections(self, sections: list[tuple[str | None, str, list[Clause]]], statements: list[Statement]) -> Draft:
        """Whole sections asked for by name: one item per clause, each quoted in full."""
        draft = DraftBuilder("clauses:section", tuple(dict.fromkeys(r for r, _, _ in sections if r)))
        for _region, heading, members in sections:
            title = self.model.documents[members[0].doc_id].title
            items = []
            for clause in members:
                lines = [ln.strip() for ln in clause.text.splitlines() if ln.strip()]
                if lines and HEADING_NUMBER.sub("", lines[0]).strip() == HEADING_NUMBER.sub("", heading).strip():
                    lines = lines[1:]  # the section's own heading line
                # each line quoted as it stands (a quote is a verbatim span of its clause)
                items.extend(Paragraph((Span(line, Source(clause.clause_id, line)),)) for line in lines)
            draft.add(Bullets(self.t("section_lead", title=title, heading=heading), tuple(items)))
        if statements:
            draft.add(Paragraph(tuple(Span(s.text, Source(s.clause.clause_id, s.text)) for s in statements)))
        return draft.build(Verdict.ANSWERED)

    def _on_topic(self, intent: Intent, statements: list[Statement]) -> bool:
        """The relevance gate: when the question names a topic, the chosen clauses must be
        about it (the clause's topics, or the topic's words in the quoted sentence)."""
        if not intent.topics or intent.topics_by_similarity:
            return True
        wanted = set(intent.topics)
        for s in statements:
            if wanted & self.model.clause_topics.get(s.clause.clause_id, frozenset()):
                return True
            if wanted & set(self.model.topics.match(s.text).strong):
                return True
        return False

    def _with_redirect(self, draft: Draft, intent: Intent) -> Draft:
        """A topic the asked region's texts do not cover: add what other regions offer on
        it (from the policy table), each row named as theirs."""
        others = self.model.regions_with(intent.topics, exclude=intent.regions)
        rows = self.model.measures_for(others, intent.topics)[:MAX_REDIRECT]
        if not rows:
            return draft
        names = "、".join(self.model.topics.name(t) for t in intent.topics)
        items = tuple(measure_item(m, self.t, with_conditions=False, prefix=f"【{self.model.regions.label(m.region)}】")
                      for m in rows)
        return replace(draft, blocks=(*draft.blocks, Bullets(self.t("redirect_lead", topic=names), items)))

    def _topic_gap(self, intent: Intent) -> str:
        topic = "、".join(self.model.topics.name(t) for t in intent.topics)
        if intent.regions:
            return self.t("not_covered_topic_text", region=self.model.regions.label(intent.regions[0]), topic=topic)
        return self.t("not_covered_topic_texts", topic=topic)

    def _definition(self, part: Part, hits: list[Hit]) -> tuple[Clause, str] | None:
        """"什么样的企业才算入驻企业？": the sentence of a retrieved clause that defines a
        term the question names ("…的企业（以下简称入驻企业）", "本措施所称“在黟拍摄”，是指…")."""
        lex = self.model.lexicon
        if not lex.definition_ask.search(part.text):
            return None
        # the clauses that define a term the question names (the model's index), of the
        # retrieved texts: a term is defined once, often far from where it is used
        defining = {cid for term, ids in self.model.defined_terms.items() if term in part.text for cid in ids}
        docs = {h.clause.doc_id for h in hits}
        for clause in (c for c in self.model.clauses if c.clause_id in defining and c.doc_id in docs):
            for sentence in sentences(clause.text):
                for m in lex.definition.finditer(sentence):
                    term = next(g for g in m.groups() if g)
                    if term in part.text:
                        return clause, sentence
        return None

    def _section(self, part: Part, hits: list[Hit]) -> tuple[str, list[Clause]] | None:
        """"申报需要准备哪些材料？" asks for a whole section of a retrieved text ("三、申报材料"):
        when every word of a section's name is in the question, quote all of the section
        (its items and the note after them), in reading order — not the few sentences that
        share most words with the question (those may sit in another section)."""
        if part.asks & {"amount", "ratio", "deadline", "form", "contact", "address", "location", "date", "count",
                        "person", "payment"}:
            return None  # a fact inside a section, not the section
        best: tuple[int, str, tuple[str, ...]] | None = None
        for hit in hits:
            path = hit.clause.heading_path
            for depth, heading in enumerate(path):
                name = HEADING_NUMBER.sub("", heading).strip(" 。：:")
                if not SECTION_NAME[0] <= len(name) <= SECTION_NAME[1]:
                    continue
                cut = [w for w in self.weights.tokenizer.words(name)
                       if len(w) >= 2 and w not in self.model.lexicon.generic_words]
                words = [w for w in cut if not any(o != w and o in w for o in cut)]  # 申报材料 → 申报, 材料
                if "process" in part.asks and not self.model.lexicon.facts["process"].search(name):
                    continue  # "取景资助怎么申请" asks how to apply, not for the 取景 clause
                variants = self.model.lexicon.section_word_variants  # 申报材料 is asked as 申请…材料
                if words and all(any(v in part.text for v in (w, *variants.get(w, ()))) for w in words):
                    if best is None or len(name) > best[0]:
                        best = (len(name), hit.clause.doc_id, tuple(path[:depth + 1]))
        if best is None:
            return None
        _, doc_id, prefix = best
        members = [c for c in self.model.clauses if c.doc_id == doc_id and c.chunk_id == c.clause_id
                   and tuple(c.heading_path[:len(prefix)]) == prefix]
        if not members or len(members) > MAX_SECTION[0] or sum(len(c.text) for c in members) > MAX_SECTION[1]:
            return None
        return prefix[-1], members

    def _procedure(self, part: Part, hits: list[Hit]) -> tuple[str, list[Clause]] | None:
        """"流程是怎样的？": a procedure is told by its whole section ("五、申报方式和受理地点":
        申报方式, 受理地点, 评审拨付) — the best-ranked retrieved clause under a heading that
        names a procedure — not by the one sentence that matched best."""
        if "process" not in part.asks:
            return None
        procedure = self.model.lexicon.facts["procedure"]
        for hit in hits:
            clause = hit.clause
            if len(clause.heading_path) < 2 or not procedure.search(clause.heading_path[0]):
                continue
            heading = clause.heading_path[0]
            members = [c for c in self.model.clauses if c.doc_id == clause.doc_id and c.chunk_id == c.clause_id
                       and c.heading_path[:1] == [heading]]
            if len(members) <= MAX_SECTION[0] and sum(len(c.text) for c in members) <= MAX_SECTION[1]:
                return heading, members
        return None

    def _answer_part(self, part: Part, hits: list[Hit]) -> PartAnswer:
        """The sentences that answer one part of the question, or what the evidence lacks."""
        asked = _asking_segments(part.text, self.model.lexicon.facts["question"])
        told = frozenset(w for w in part.terms if w not in asked)
        ranked_all = self.ranker.rank(part.terms, part.asks, hits, told)
        # A deadline, form, phone… must be in the evidence itself: a clause on the same
        # topic is not an answer.
        # (any sentence of the best clauses counts: a phone number may sit in a clause whose
        # other sentences rank higher)
        top_clauses = {h.clause.chunk_id for h in hits}
        in_top = [e for e in ranked_all if e.clause.chunk_id in top_clauses]
        for ask in STRICT_ASKS:
            if ask in part.asks and not any(self.ranker.has_fact(ask, e.sentence) for e in in_top):
                return PartAnswer([], [Gap(what=self.t.missing(ask))], [], True)
        # A rare word the clauses never use (片酬, 租, 2028) is the point of the question:
        # evidence that lacks it does not answer it.
        unknown = [w for w in part.terms if self.weights.is_unknown(w) and w in asked]
        ranked = self._covering(ranked_all, unknown)
        strict = [ask for ask in STRICT_ASKS if ask in part.asks]
        if strict and not unknown:
            # The fact asked for (附件, 电话, 截止时间) is the point: the retrieved sentences
            # stating it answer even when the rest of the question is filler ("后面有哪些附件要填");
            # "有哪些附件" wants every one of them.
            stating = [e for e in in_top if self.ranker.has_fact(strict[0], e.sentence)]
            if stating and "list" in part.asks:
                return PartAnswer(self._in_text_order(stating)[:MAX_ITEMS], [], [], False)
            if stating and not ranked:
                ranked = stating
        if not ranked:
            return PartAnswer([], [Gap(sentence=self.t("not_covered_question"))], [], bool(unknown))
        ranked, missing = self._fact_first(part, ranked, in_top)
        if missing is not None:
            return PartAnswer([], [Gap(what=self.t.missing(missing))], [], False)
        if part.asks & {"amount", "ratio"}:
            return self._figure_answer(part, ranked)
        return PartAnswer(self._chosen(part, ranked), [], [], False)

    def _covering(self, ranked: list[Evidence], unknown: list[str]) -> list[Evidence]:
        """The sentences that cover enough of the question, from clauses that use each of
        its rare words (or a word of that word's topic group: 片酬 → any word of its group)."""
        return [
            e for e in ranked
            if e.coverage >= MIN_COVERAGE
            and all(any(v in e.clause.text for v in self.weights.key_topics.get(w, [w])) for w in unknown)
        ]

    def _in_text_order(self, evidence: list[Evidence]) -> list[Evidence]:
        """Each sentence once, in the order of the texts (clause by clause, then within one)."""
        order = {c.chunk_id: i for i, c in enumerate(self.model.clauses)}
        return _unique(sorted(evidence, key=lambda e: (order.get(e.clause.chunk_id, len(order)),
                                                       e.clause.text.find(e.sentence))))

    def _fact_first(self, part: Part, ranked: list[Evidence],
                    in_top: list[Evidence]) -> tuple[list[Evidence], str | None]:
        """The sentences holding the fact the part asks for (the first ask that needs one)
        moved first; or the ask whose fact no sentence holds. An office is only preferred."""
        for ask in STRICT_ASKS + FACT_ASKS + PREFERRED_ASKS:
            if ask in part.asks:
                # a deadline or phone number in a retrieved clause answers even when the
                # sentence shares no word with the question ("有电话可以问吗")
                pool = in_top if ask in STRICT_ASKS else ranked[:5]
                with_fact = [e for e in pool if self.ranker.has_fact(ask, e.sentence)][:5]
                if ask in PREFERRED_ASKS:
                    if not with_fact:
                        continue
                    with_fact.sort(key=lambda e: -e.coverage)
                if not with_fact:
                    return ranked, ask
                return with_fact + [e for e in ranked if e not in with_fact], None
        return ranked, None

    def _figure_answer(self, part: Part, ranked: list[Evidence]) -> PartAnswer:
        """"多少": a sentence with a figure, else support stated without one (相应的, 一事一议 —
        said to be no figure), else the amount is not covered."""
        # A figure only answers if its sentence is about what was asked, not merely
        # the first number nearby (营收突破4亿 does not answer 取景补贴多少).
        best = ranked[0]
        figures = [e for e in ranked[:5] if (MONEY.search(e.sentence) or RATIO.search(e.sentence))
                   and e.coverage >= best.coverage - 0.1 and e.score >= 0.7 * best.score]
        if figures:
            return PartAnswer(self._with_list(part, figures[:1] + [e for e in ranked if e is not figures[0]]),
                              [], [], False)
        supported = [e for e in ranked[:3] if self.model.lexicon.facts["support"].search(e.sentence)]
        if supported:
            chosen = self._with_list(part, supported)
            return PartAnswer(chosen, [], chosen, False)
        return PartAnswer([], [Gap(what=self.t.missing("amount"))], [], False)

    def _chosen(self, part: Part, ranked: list[Evidence]) -> list[Evidence]:
        """The best sentences; for "有哪些…" about a list, its lead-in and items (not for
        "哪些费用能算进去": what one measure covers is a detail inside it)."""
        listing = bool(self._list_question.search(part.text)) and not self.model.lexicon.inclusion.search(part.text)
        if listing:
            ranked = self._lead_in_first(part, ranked)
        chosen = self._with_list(part, ranked)
        if listing:
            chosen = self._list_items(chosen)
        return chosen

    def _lead_in_first(self, part: Part, ranked: list[Evidence]) -> list[Evidence]:
        """"八大行动都是哪些": a list's lead-in ("重点实施八大跨界融合行动：") that names
        what is asked goes first, so its items are listed."""
        for e in ranked[:10]:
            lead_in = e.sentence.rstrip().endswith(("：", ":")) and e.clause.text.rstrip().endswith(("：", ":"))
            if lead_in and any(len(w) >= 2 and w in e.sentence for w in part.terms):
                return [e, *(x for x in ranked if x is not e)]
        return ranked

    def _list_items(self, chosen: list[Evidence]) -> list[Evidence]:
        """For "有哪些…" about a list (①…⑥, 一是…五是, "“…”创作计划：…" items), quote each
        item's lead sentence rather than the few that happened to rank highest — when the
        question is about the items themselves (the best match is a list's lead-in or an
        item's first sentence), not about a detail inside one item."""
        best = chosen[0]
        clause = best.clause
        clauses = self.model.clauses
        lead_in = clause.text.rstrip().endswith(("：", ":"))
        if not lead_in and best.sentence != sentences(clause.text)[0]:
            return chosen
        if lead_in:
            parent = clause
            siblings = [c for c in clauses if c.doc_id == clause.doc_id and c.chunk_id == c.clause_id
                        and c.label != clause.label and c.label.startswith(clause.label)
                        and ITEM_LABEL.search(c.label)]
            if not siblings:  # "重点实施八大跨界融合行动：" then paragraphs "文旅赋能：…"
                siblings = self._following_items(clause)
        else:
            key = _parent_key(clause)
            siblings = [c for c in clauses if c.chunk_id == c.clause_id and key and _parent_key(c) == key]
            parent = next((c for c in clauses if key and c.doc_id == clause.doc_id
                           and isinstance(key[1], str) and c.label == key[1]), None)
        siblings = [c for c in siblings if c.region == clause.region]
        if len(siblings) < 3:
            return chosen
        items = []
        if parent is not None:
            intro = sentences(parent.text)[-1]
            if intro.endswith(("：", ":")):
                items.append(Evidence(parent, intro, best.score, best.coverage, best.rank))
        for sibling in siblings[:MAX_ITEMS]:
            items.append(Evidence(sibling, sentences(sibling.text)[0], best.score, best.coverage, best.rank))
        return items

    def _following_items(self, lead: Clause) -> list[Clause]:
        """The named paragraphs ("X：…") right after a lead-in paragraph of the same doc."""
        ordered = [c for c in self.model.clauses if c.doc_id == lead.doc_id and c.chunk_id == c.clause_id]
        items: list[Clause] = []
        for c in ordered[ordered.index(lead) + 1:] if lead in ordered else []:
            if not LIST_ITEM.match(c.text):
                break
            items.append(c)
        return items

    def _with_list(self, part: Part, ranked: list[Evidence]) -> list[Evidence]:
        """The best sentence, plus close runners-up (more of them for "哪些" questions)."""
        best = ranked[0]
        limit = MAX_LIST if part.asks & {"list", "compare"} or not part.asks else 2
        chosen = [best]
        for e in ranked[1:]:
            if len(chosen) >= limit:
                break
            # Runners-up: the best clause's other sentences if close, other clauses only
            # if nearly as good and as complete — an answer is not a reading list.
            same_clause = e.clause.clause_id == best.clause.clause_id and e.score >= 0.6 * best.score
            close_other = e.score >= 0.85 * best.score and e.coverage >= best.coverage
            if (same_clause or close_other) and not _overlaps(e.sentence, [c.sentence for c in chosen]):
                chosen.append(e)
        return chosen

    # ----------------------------------------------------------------- refusals
    def refusal(self, intent: Intent, gaps: list[Gap], related: list[Statement], regions: list) -> Draft:
        """An honest "not covered": what is missing, related context, the office to ask."""
        draft = DraftBuilder("clauses", tuple(regions))
        lead = [gap.sentence or self.t("not_covered_fact", what=gap.what) for gap in dict.fromkeys(gaps)]
        generic = self.t("not_covered_question")  # (said only when nothing more specific is)
        lead = [x for x in lead if x != generic] or lead
        draft.add(Paragraph.of("".join(dict.fromkeys(lead)) or self.t("not_covered_question")))
        for statement in related:
            draft.add(Paragraph.of(self.t("related"), Span(statement.text, Source(statement.clause.clause_id, statement.text))))
        draft.note(office_note(self.model, self.t, regions))
        if not related:
            draft.note(self.t("coverage", regions=self.model.regions.covered()))
        return draft.build(Verdict.NOT_COVERED)


def _without_heading(sentence: str) -> str:
    """"（四）支持举办主题产业活动。在平原示范区举办的…" → "在平原示范区举办的…" (a heading the
    sentence splitter joined to it; the rest is still a verbatim span)."""
    head = HEADING_PREFIX.match(sentence)
    rest = sentence[head.end():] if head else ""
    return rest if len(rest) >= MIN_SENTENCE else sentence


def _asking_segments(text: str, question: re.Pattern[str]) -> str:
    """The comma-separated segments that ask ("郑州有没有对应的创作计划？"), without the ones
    that tell about the asker ("我们是登封的武校"): a rare word there is not the point."""
    segments = [s for s in re.split(r"[，,。；;！!]", text) if s.strip()]
    asking = [s for s in segments if question.search(s)]
    return "，".join(asking) if asking else text


def _unique(evidence: list[Evidence]) -> list[Evidence]:
    """Each sentence once (a sentence is ranked once per retrieved chunk of its clause)."""
    seen: list[str] = []
    out = []
    for e in evidence:
        if not _overlaps(e.sentence, seen):
            seen.append(e.sentence)
            out.append(e)
    return out


def _overlaps(sentence: str, chosen: list[str]) -> bool:
    """Is ``sentence`` (or a sentence containing it, or one it contains) already chosen?
    A clause heading joined to its sentence and the bare sentence are the same text."""
    return any(sentence in c or c in sentence for c in chosen)


def _whole_items(statements: list[Statement]) -> list[Statement]:
    """A chosen sentence that opens a labelled paragraph (“微短剧里看品牌”创作计划：…) brings
    the rest of that paragraph: the label's item is what answers, not its first sentence."""
    out: list[Statement] = []
    for s in statements:
        out.append(s)
        if not LIST_ITEM.match(s.text):
            continue
        line = next((ln for ln in s.clause.text.splitlines() if ln.strip().startswith(s.text.strip())), "")
        if len(line) > MAX_ITEM_CHARS:
            continue
        out.extend(Statement(x, s.clause, s.region) for x in sentences(line)
                   if x.strip() and x.strip() not in s.text and not any(x.strip() in o.text for o in statements))
    return out


def _in_reading_order(statements: list[Statement]) -> list[Statement]:
    """Sentences of one clause in the order the clause says them; clauses by relevance."""
    first_seen: dict[str, int] = {}
    for i, s in enumerate(statements):
        first_seen.setdefault(s.clause.chunk_id, i)
    return sorted(statements, key=lambda s: (first_seen[s.clause.chunk_id], s.clause.text.find(s.text)))


def _dedupe(statements: list[Statement]) -> list[Statement]:
    """Drop repeated sentences, including one contained in another already kept (the same
    sentence with and without its clause heading)."""
    kept: list[Statement] = []
    for s in sorted(statements, key=lambda s: -len(s.text)):
        if not any(s.text in k.text and s.clause.clause_id == k.clause.clause_id for k in kept):
            kept.append(s)
    order = {id(s): i for i, s in enumerate(statements)}
    return sorted(kept, key=lambda s: order[id(s)])
