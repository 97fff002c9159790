"""Answers from the policy table (``knowledge/measures.yaml``): lists, amounts,
conditions, comparisons, scenarios and "add it all up" questions.

A list is complete by construction: every measure of the asked region (and topic) is a
row, each with its amount as stated and its verbatim quote as the citation. A region
whose texts have no row on the asked topic gets an honest "not covered" and what other
regions offer on that topic, named as theirs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answer.composer import Composer
from bot.answer.draft import (
    Bullets,
    Draft,
    DraftBuilder,
    Found,
    Paragraph,
    Row,
    Source,
    Span,
    Table,
    Verdict,
)
from bot.answer.evidence import DISCOUNT, MONEY, RATIO, sentences
from bot.answer.intent import FIGURE, MISSING_FACTS, Ask, Intent, asking_parts, figures_in
from bot.answer.rows import (
    conditions_text,
    measure_item,
    measure_source,
    office_note,
    site_item,
)
from bot.models import Clause
from bot.policy.book import PolicyModel
from bot.policy.eligibility import Judge, MeasureVerdict, ProducerProfile, Reason, check
from bot.policy.eligibility import Verdict as Eligibility
from bot.policy.model import Condition, SubsidyMeasure
from bot.policy.regions import Level

NAMELESS_TAGS = "rmdqaypcuftx"  # jieba tags of words that name no thing (pronoun, numeral, adverb …)
MAX_BULLETS = 4  # longer lists become a table
MAX_REDIRECT = 8
MAX_OPENING_TITLES = 3  # measures a list's opening names
MAX_OPENING_FIGURES = 2  # rows with a figure a "how much?" opening states
MAX_OPENING_VERDICTS = 2  # measures a scenario's opening gives a verdict on
MAX_ENUMERATED_CHARS = 2000  # a programme's announced parts quoted whole up to this length
MAX_FEW_MEASURES = 3  # a region with this many measures or fewer: a gap on a topic says what they are
ELSEWHERE_MARGIN = 0.4  # another region's measure matches the question this much better than any own one
ELSEWHERE_OWN_MAX = 0.5  # ... and none of the asked region's matches even half of the question's words
CASH_KINDS = ("cash", "cost_ratio", "bonus")  # what a producer receives (the rest are services)
MONEY_KINDS = (*CASH_KINDS, "fund")  # answers "is there money for X?"
SUPPORT_KINDS = (*MONEY_KINDS, "policy")  # answers "how much?" even without a figure (相应的, 一事一议)


REASONS = "\x00"  # where a verdict's reasons go in its wording


@dataclass(frozen=True)
class ReportGroups:
    """A 补贴测算 report's verdicts by section."""

    cash: list[MeasureVerdict]  # applies: pays, or a stated fact decided its conditions
    maybe: list[MeasureVerdict]  # may apply (what to confirm)
    services: list[MeasureVerdict]  # services that apply, the asked region's own
    no: list[MeasureVerdict]  # does not apply
    left_out: int  # verdicts in no section (off the relevant topics, or services of a region not asked)


class TableComposer(Composer):

    # ----------------------------------------------------------------- helpers
    def regions_of(self, intent: Intent) -> list[str]:
        """The regions a table answer covers: those asked, else every local region."""
        local = self.model.regions.local()
        asked = [r for r in intent.regions if r in local]
        return asked or ([] if intent.regions else local)

    def topics_of(self, intent: Intent) -> tuple[str, ...]:
        if intent.topics:
            return intent.topics
        if intent.ask in (Ask.AMOUNT, Ask.CONDITION):
            return intent.weak_topics
        return ()

    def source(self, m: SubsidyMeasure) -> Source:
        return measure_source(m)

    def relevance(self, m: SubsidyMeasure, terms: dict[str, float]) -> float:
        """How well a row matches the question's words: its own words (title, description,
        conditions) count fully, the quote it shares with sibling rows a little."""
        if not terms:
            return 0.0
        own = " ".join([m.title, m.benefit.description, *(c.text for c in m.conditions)])
        return self.match.coverage(terms, own) + 0.3 * self.match.coverage(terms, m.quote)

    def has_figure(self, m: SubsidyMeasure) -> bool:
        """Does the measure state an amount or a percentage? (按实际发生, 相应的, 一事一议
        name how it is decided, not how much.)"""
        return bool(MONEY.search(m.money) or RATIO.search(m.money) or DISCOUNT.search(m.money))

    def money(self, m: SubsidyMeasure) -> str:
        return m.money or self.t("unknown_amount")

    def conditions(self, m: SubsidyMeasure) -> str:
        return conditions_text(m)

    def bullet(self, m: SubsidyMeasure, with_conditions: bool = True, prefix: str = "",
               with_quote: bool = False) -> Paragraph:
        return measure_item(m, self.t, with_conditions, prefix, with_quote)

    def quoted(self, rows: Sequence[SubsidyMeasure]) -> tuple[Paragraph, ...]:
        """Bullets that quote each row's clause — once: rows from one sentence (国家级 20万,
        省级 10万) quote it with the first and cite it with the others."""
        seen: set[str] = set()
        items = []
        for m in rows:
            items.append(self.bullet(m, with_quote=m.quote not in seen))
            seen.add(m.quote)
        return tuple(items)

    def rows_block(self, rows: list[SubsidyMeasure], title: str | None, group_by_topic: bool) -> Bullets | Table:
        if len(rows) <= MAX_BULLETS:
            return Bullets(title, self.quoted(rows))
        table_rows = []
        for m in rows:
            topic = self.model.topics.name(m.topics[0])
            table_rows.append(Row((topic, m.title, m.benefit.description, self.money(m),
                                   self.conditions(m) or self.t("no_conditions")), self.source(m)))
        if group_by_topic:
            order = {k: i for i, k in enumerate(self.model.topics.topics)}
            table_rows.sort(key=lambda r: order.get(_topic_key(self.model, r.cells[0]), 99))
        return Table(title, tuple(self.t.items("columns_list")), tuple(table_rows))

    def table_notes(self, draft: DraftBuilder, rows: Sequence[SubsidyMeasure]) -> None:
        if any(m.benefit.kind == "cost_ratio" for m in rows) and len({m.region for m in rows}) > 1:
            draft.note(self.t("cost_ratio_note"))
        if any(not self.has_figure(m) or m.benefit.amount in self.model.lexicon.no_figure_amounts for m in rows):
            draft.note(self.t("no_figure_note"))

    def topic_words(self, topics: Sequence[str]) -> str:
        return "、".join(self.model.topics.name(t) for t in topics)

    def gap(self, draft: DraftBuilder, region: str, topics: Sequence[str]) -> None:
        """The finding that a region's texts say nothing on the topic; for a region whose
        texts hold only a few measures, what they do say (上海: only 出海)."""
        label = self.model.regions.label(region)
        draft.find(Found.NOT_IN_TEXTS, region, self.t("not_covered_topic_in", region=label,
                                                         topic=self.topic_words(topics) or self.t("any_topic")))
        own = self.model.measures_for([region])
        if topics and 0 < len(own) <= MAX_FEW_MEASURES:  # (names only: no figure beside the gap)
            names = dict.fromkeys(self.model.topics.name(t) for m in own for t in m.topics)
            draft.add(Paragraph.of(self.t("region_has", region=label, topics="、".join(names))))

    def listed(self, draft: DraftBuilder, region: str, rows: list[SubsidyMeasure], topic_part: str) -> None:
        """The finding of a list: how many measures, and the most relevant by name."""
        shown = rows[:MAX_OPENING_TITLES]
        titles = "、".join(m.title for m in shown) + (self.t("opening_more") if len(rows) > len(shown) else "")
        draft.find(Found.STATED, region, Span(self.t("list_opening", region=self.model.regions.label(region),
                                                      topic=topic_part, count=len(rows), titles=titles),
                                               self.source(shown[0])), facet="list")

    def conditioned(self, draft: DraftBuilder, region: str, m: SubsidyMeasure) -> None:
        """The finding of "who qualifies?": the most relevant measure's conditions."""
        conditions = self.conditions(m)
        label = self.model.regions.label(region)
        if conditions:
            first = [Span(self.t("condition_opening", region=label, title=m.title, conditions=conditions), self.source(m))]
        else:  # the measure, cited, then that its text states no condition
            first = [Span(self.t("condition_opening_measure", region=label, title=m.title), self.source(m)),
                     Span(self.t("condition_opening_none"))]
        draft.find(Found.STATED, region, *first, *self.conditions_elsewhere(m), facet="condition")

    def conditions_elsewhere(self, m: SubsidyMeasure) -> list[Span]:
        """The row's conditions another clause states ("首次来衢江、暂时未进组拍摄的演职人员"),
        each cited to that clause."""
        return [Span(self.t("condition_also", text=c.text), Source(c.clause_id, c.text))
                for c in m.conditions if c.clause_id]

    def figured(self, draft: DraftBuilder, region: str, rows: list[SubsidyMeasure]) -> None:
        """The finding of a "how much?": the most relevant rows that state a figure, each
        with its amount as stated."""
        label = self.model.regions.label(region)
        spans: list[Span | str] = []
        for i, m in enumerate(rows[:MAX_OPENING_FIGURES]):
            amount = m.money if m.benefit.amount == "未明确" else m.benefit.amount
            key = "amount_opening" if i == 0 else "amount_opening_more"
            key += "_titled" if amount in m.title else ""  # the title says the amount already
            spans.append(Span(self.t(key, region=label, title=m.title, amount=amount), self.source(m)))
        spans.append("。")
        draft.find(Found.FIGURE, region, *spans, facet="figure")

    def ranked(self, rows: list[SubsidyMeasure], intent: Intent) -> list[SubsidyMeasure]:
        terms = self.terms(intent.query_text)
        scored = [(self.relevance(m, terms), i, m) for i, m in enumerate(rows)]
        scored.sort(key=lambda x: (-round(x[0], 2), x[1]))
        return [m for _, _, m in scored]

    # ----------------------------------------------------------------- not covered
    def absent(self, intent: Intent) -> list[str]:
        """"对无人机航拍有补贴吗", "道具采购有补贴吗": what the question asks support for, when
        it matches no topic and no text of the asked regions uses its words (nor a word of the
        same meaning) — dictionary words only, so a colloquial or mistyped word never counts."""
        if not intent.regions or intent.topics or intent.weak_topics or intent.programmes or not intent.support:
            return []
        lex = self.model.lexicon
        named = lex.intent_patterns["support_object"].search(intent.text)
        thing = next((g for g in named.groups() if g), "") if named else ""
        if not thing:
            return []
        texts = [self.model.region_text(r) for key in intent.regions for r in self.model.regions.scope(key)]
        # (a pronoun, numeral, adverb … names nothing: "各项", "本身", "一共")
        tags = dict(self.weights.tokenizer.tagged(thing))
        absent = []
        for word in self.terms(thing):
            if len(word) < 2 or word in lex.generic_words or word in lex.stop_words \
                    or not self.weights.tokenizer.general_frequency(word) or tags.get(word, "n")[0] in NAMELESS_TAGS:
                continue
            same = next((group for group in lex.synonyms if word in group), frozenset({word}))
            if not any(w in text for w in same for text in texts):
                absent.append(word)
        return absent

    def _absent(self, intent: Intent, found: dict[str, list[SubsidyMeasure]], absent: list[str]) -> Draft:
        """It says so first (the flag: not covered), then what the region does offer."""
        draft = DraftBuilder("table:absent", tuple(found))
        what = "“" + "、".join(absent) + "”"
        for region, rows in found.items():
            label = self.model.regions.label(region)
            draft.find(Found.NOT_IN_TEXTS, region, self.t("not_covered_topic_in", region=label, topic=what))
            if rows:
                shown = self.ranked(rows, intent)[:MAX_BULLETS]
                draft.add(Bullets(self.t("absent_offered", region=label), self.quoted(shown)))
                self.table_notes(draft, shown)
        draft.note(office_note(self.model, self.t, list(found)))
        return draft.build(Verdict.NOT_COVERED)

    def not_covered(self, intent: Intent, regions: list[str], topics: tuple[str, ...]) -> Draft:
        """The asked regions say nothing on the topic: say so, then what others offer."""
        draft = DraftBuilder("table:not_covered", tuple(regions))
        names = self.topic_words(topics)
        for region in regions:
            self.gap(draft, region, topics)
        if not regions:
            draft.find(Found.NOT_IN_TEXTS, "", self.t("not_covered_topic_any", topic=names))
        others = self._redirect(draft, regions, topics)
        draft.note(office_note(self.model, self.t, regions))
        if not others:
            draft.note(self.t("coverage", regions=self.model.regions.covered()))
        return draft.build(Verdict.NOT_COVERED)

    def _redirect(self, draft: DraftBuilder, regions: list[str], topics: Sequence[str],
                  figures_only: bool = False) -> list[str]:
        """What other covered regions offer on ``topics``, each row named as theirs."""
        if not topics:
            return []
        others = self.model.regions_with(topics, exclude=regions)
        rows = self.model.measures_for(others, topics)
        if figures_only:
            rows = [m for m in rows if self.has_figure(m)]
        rows = rows[:MAX_REDIRECT]
        if rows:
            items = tuple(self.bullet(m, with_conditions=False,
                                      prefix=f"【{self.model.regions.label(m.region)}】") for m in rows)
            draft.add(Bullets(self.t("redirect_lead", topic=self.topic_words(topics)), items))
        return list(dict.fromkeys(m.region for m in rows))

    # ----------------------------------------------------------------- lists, amounts, conditions
    def list(self, intent: Intent) -> Draft:
        """A list, conditions or a total (an amount when one row answers): first which
        answer the rows found call for, then each region's rows."""
        if intent.programmes and intent.ask is Ask.LIST:
            return self.programme(intent)
        regions = self.regions_of(intent)
        topics = self.topics_of(intent)
        if not intent.regions and not topics and intent.ask is Ask.LIST:
            return self.overview(regions)
        found = {r: self.model.measures_for([r], topics) for r in regions}
        if intent.ask is Ask.AMOUNT and intent.regions and (named := figures_in(intent.query_text)):
            # "播放量破了2亿，能拿多少": the asked region's tier stating that figure, whatever its topic
            for r in found:
                found[r] += [m for m in self.model.measures_for([r], ()) if m not in found[r] and _states(m, named)]
        if not intent.regions:  # no region asked: only the regions that have something
            found = {r: rows for r, rows in found.items() if rows}
        if not any(found.values()):
            return self.not_covered(intent, list(intent.regions), topics)
        if elsewhere := self.elsewhere(intent, found, topics):
            return self._not_here(intent, found, topics, elsewhere)
        if absent := self.absent(intent):
            return self._absent(intent, found, absent)
        # "最多能补多少？" about one measure is its amount: adding up needs several
        if intent.ask is Ask.AMOUNT or (intent.ask is Ask.TOTAL and sum(map(len, found.values())) <= 1):
            return self._amount(intent, found, topics)
        if self._asks_for_money(intent) and topics:
            money = {r: [m for m in rows if m.benefit.kind in MONEY_KINDS] for r, rows in found.items()}
            if not any(money.values()):
                return self._no_money(intent, found, topics)
        return self._lists(intent, regions, found, topics)

    def _lists(self, intent: Intent, regions: list[str], found: dict[str, list[SubsidyMeasure]],
               topics: tuple[str, ...]) -> Draft:
        """Each region's rows (or the finding that it has none), with the notes they need."""
        draft = DraftBuilder(f"table:{intent.ask.value}", tuple(regions))
        topic_part = self.t("list_lead_topic", topic=self.topic_words(topics)) if topics else ""
        shown: list[SubsidyMeasure] = []
        for region, rows in found.items():
            if not rows:
                self.gap(draft, region, topics)
                continue
            shown += self._region_list(draft, intent, region, rows, topics, topic_part)
        self.table_notes(draft, shown)
        self.missing_parts(draft, intent)
        if "office" in intent.asks:  # "找哪个部门": the offices the documents name
            draft.note(office_note(self.model, self.t, list(found)))
        return draft.build(Verdict.ANSWERED)

    def _region_list(self, draft: DraftBuilder, intent: Intent, region: str, rows: list[SubsidyMeasure],
                     topics: tuple[str, ...], topic_part: str) -> list[SubsidyMeasure]:
        """One region's finding and rows — their conditions for "who qualifies?", else the
        rows themselves (after the rules on adding up, for a total); the rows shown."""
        label = self.model.regions.label(region)
        ranked = self.ranked(rows, intent)
        rows = ranked if topics else rows
        if intent.ask is Ask.CONDITION or ("condition" in intent.asks and len(rows) == 1):
            # "要满足哪些条件": of the one measure there is, its conditions are the answer
            self.conditioned(draft, region, ranked[0])
            lead = self.t("condition_lead", region=label, topic=topic_part)
            items = tuple(Paragraph((Span(self.t("condition_row", title=m.title,
                                                 conditions=self.conditions(m) or self.t("condition_none")),
                                          self.source(m)), *self.conditions_elsewhere(m))) for m in rows)
            draft.add(Bullets(lead, items))
        else:
            self.listed(draft, region, ranked, topic_part)
            if intent.ask is Ask.TOTAL:
                draft.add(self.stacking_rules(region))
            # "cannot simply be added up" only where there is something to add: several
            # measures on different bases (a one-measure answer gets the plain lead)
            bases = {(m.benefit.kind, m.benefit.amount in self.model.lexicon.no_figure_amounts) for m in rows}
            lead_key = "total_lead" if intent.ask is Ask.TOTAL and len(rows) > 1 and len(bases) > 1 else "list_lead"
            lead = self.t(lead_key, region=label, topic=topic_part, count=len(rows))
            draft.add(self.rows_block(rows, lead, group_by_topic=not topics))
        # Sites belong to the answer too: those on the topic (实训基地 for 人才), or all
        # of them for "what does X offer".
        wide = any(self.model.topics.topics[t].all_sites for t in topics if t in self.model.topics.topics)
        sites = self.model.sites_for([region], () if wide else topics)
        if sites and intent.ask is Ask.LIST:
            title = self.t("related_sites") if topics else self.t("sites_in_list", region=label)
            draft.add(Bullets(title, tuple(site_item(x, self.t) for x in sites)))
        return rows

    def stacking_rules(self, region: str) -> Bullets | None:
        """What the region's texts say about adding support up: an overall yearly cap
        (单个企业年度累计…不超过300万元), 就高不重复 — quoted, for "最多一共能拿多少"."""
        pattern = self.model.lexicon.facts["stacking"]
        found = {(c.clause_id, s): None for c in self.model.clauses if c.region == region and c.chunk_id == c.clause_id
                 for s in sentences(c.text) if pattern.search(s)}
        if not found:
            return None
        items = tuple(Paragraph((Span(s, Source(clause_id, s)),)) for clause_id, s in found)
        return Bullets(self.t("stacking_lead", region=self.model.regions.label(region)), items)

    def missing_parts(self, draft: DraftBuilder, intent: Intent) -> None:
        """A procedure, deadline, form or phone asked for besides what the table answers:
        the texts never give one, so say so and name the office."""
        for ask in ("process", *MISSING_FACTS):
            if ask in intent.asks:
                draft.note(self.t("part_not_covered", what=self.t.missing(ask)))
                draft.note(office_note(self.model, self.t, list(intent.regions)))

    def _amount(self, intent: Intent, found: dict[str, list[SubsidyMeasure]], topics: tuple[str, ...]) -> Draft:
        """How much: the most relevant rows. A support measure that states no figure answers
        with what it states instead (按实际发生, 相应的, 一事一议), said to be no figure; only
        services (no money at all) leave the question not covered."""
        draft = DraftBuilder("table:amount", tuple(found))
        figured = stated = False  # a relevant row states a figure / a support measure states what instead
        shown: list[SubsidyMeasure] = []
        terms = self.terms(intent.query_text)
        topic_part = self.t("list_lead_topic", topic=self.topic_words(topics)) if topics else ""
        for region, rows in found.items():
            if not rows:
                self.gap(draft, region, topics)
                continue
            rows, top = self._most_relevant(rows, terms, figures_in(intent.query_text))
            if any(self.has_figure(m) for m in top):
                figured = True
                self.figured(draft, region, [m for m in rows if self.has_figure(m)])
                draft.add(Bullets(self.t("amount_lead", region=self.model.regions.label(region), topic=topic_part),
                                  self.quoted(rows[:MAX_BULLETS])))
            else:
                rows, supported = self._basis(draft, region, rows, top)
                stated = stated or supported
            shown += rows
        if not figured and not stated:  # only services on the topic: the figure is not covered
            self._redirect(draft, list(found), topics, figures_only=True)
            self._inner_regions(draft, found)
            draft.note(office_note(self.model, self.t, list(found)))
            return draft.build(Verdict.NOT_COVERED)
        if not any(self.has_figure(m) for m in shown):  # each region's lead said there is no figure
            self._inner_regions(draft, found)
            draft.note(office_note(self.model, self.t, list(found)))
        else:
            self.table_notes(draft, shown)
        self.missing_parts(draft, intent)
        return draft.build(Verdict.ANSWERED)

    def _most_relevant(self, rows: list[SubsidyMeasure], terms: dict[str, float],
                       named: tuple[str, ...] = ()) -> tuple[list[SubsidyMeasure], list[SubsidyMeasure]]:
        """The rows at least half as relevant as the best (those stating a figure first), and
        the nearly best ones (all of them when none matches the question's words). A row
        whose title or conditions state a figure the question states ("播放量破了2亿" → the
        "达到2亿次" tier) is the most relevant."""
        def score(m: SubsidyMeasure) -> float:
            return self.relevance(m, terms) + (1.0 if named and _states(m, named) else 0.0)

        scored = sorted(((score(m), i, m) for i, m in enumerate(rows)), key=lambda x: (-x[0], x[1]))
        best = scored[0][0]
        rows = [m for score, _, m in scored if best == 0 or score >= 0.5 * best]
        top = [m for score, _, m in scored if best == 0 or score >= 0.9 * best]
        rows.sort(key=lambda m: not self.has_figure(m))
        return rows, top

    def _basis(self, draft: DraftBuilder, region: str, rows: list[SubsidyMeasure],
               top: list[SubsidyMeasure]) -> tuple[list[SubsidyMeasure], bool]:
        """No relevant row states a figure: the finding quotes what the most relevant rows
        state instead (a support measure first), the other rows follow. Returns the rows
        shown, and whether that basis is a support measure (else only services answer)."""
        label = self.model.regions.label(region)
        basis = min(top, key=lambda m: m.benefit.kind not in SUPPORT_KINDS)
        rows = [basis, *(m for m in rows if m is not basis)]
        supported = basis.benefit.kind in SUPPORT_KINDS
        # a support measure that states no figure answers (said first); services alone do not
        lead = self.t("no_figure_asked" if supported else "no_money_asked", region=label, basis="")
        draft.find(Found.NO_FIGURE if supported else Found.NOT_IN_TEXTS, region,
                   Span(lead, None), Span(basis.quote, self.source(basis)), facet="figure")
        others = [m for m in rows[1:MAX_BULLETS] if m.quote != basis.quote]  # its quote is shown
        if others:
            draft.add(Bullets(None, self.quoted(others)))
        return rows, supported

    def _inner_regions(self, draft: DraftBuilder, found: dict[str, list[SubsidyMeasure]]) -> None:
        """"浙江省内有具体扶持条款的地区：…": places inside the regions whose texts have measures."""
        for region in found:
            inner = [r for r in self.model.regions.children(region) if self.model.measures_for([r])]
            if inner:
                draft.add(Paragraph.of(self.t("inner_regions", region=self.model.regions.label(region),
                                              regions="、".join(self.model.regions.label(r) for r in inner))))

    def programme(self, intent: Intent) -> Draft:
        """Everything a named programme contains (“黄金十二条”: its twelve measures)."""
        name = intent.programmes[0]
        rows = self.model.programme_measures(name, intent.regions)
        regions = list(dict.fromkeys(m.region for m in rows))
        draft = DraftBuilder("table:programme", tuple(regions))
        intro = self.model.programme_sentence(name)
        if intro:  # how the texts introduce it ("…一共十二条具体措施，被…称为“黄金十二条”")
            draft.add(Paragraph((Span(intro[1], Source(intro[0], intro[1])),)))
        parts = self._enumerated_parts(intro)
        if parts:  # "实施五大工程19项任务：" — the parts that follow are the programme, each whole
            draft.add(Bullets(None, tuple(Paragraph((Span(c.text, Source(c.clause_id, c.text)),)) for c in parts)))
            inside = {c.clause_id for c in parts}
            rows = [m for m in rows if m.clause_id not in inside]
        if rows:
            draft.add(self.rows_block(rows, self.t("programme_lead", name=name, count=len(rows)), group_by_topic=True))
            self.table_notes(draft, rows)
        return draft.build(Verdict.ANSWERED)

    def _enumerated_parts(self, intro: tuple[str, str] | None) -> list[Clause]:
        """The parts a programme's introduction announces with a colon ("实施五大工程19项任务："):
        the clauses directly under it, when they are short enough to quote whole."""
        if not intro or not intro[1].rstrip().endswith(("：", ":")):
            return []
        prefix = intro[0] + "("
        parts = [c for c in self.model.clauses if c.chunk_id == c.clause_id and c.clause_id.startswith(prefix)
                 and "(" not in c.clause_id[len(prefix):]]
        return parts if 1 < len(parts) and sum(len(c.text) for c in parts) <= MAX_ENUMERATED_CHARS else []

    def _asks_for_money(self, intent: Intent) -> bool:
        """"有就业补贴吗？": an existence question about money, not about any support — and
        not one that also asks, in a clause of its own, what there is ("规划里怎么说？有按面积的
        补贴吗": the list answers that part)."""
        lex = self.model.lexicon
        if not (lex.intent_patterns["exists"].search(intent.text) and lex.money.search(intent.text)):
            return False
        parts = asking_parts(intent, lex.facts["question"])
        return not any(lex.intent_patterns["list_all"].search(p.lower()) and not lex.money.search(p.lower())
                       for p in parts)

    def _no_money(self, intent: Intent, found: dict[str, list[SubsidyMeasure]], topics: tuple[str, ...]) -> Draft:
        """The region has measures on the topic, but none that pays: say so, show what it
        has, and what other regions pay on the topic."""
        names = self.topic_words(topics)
        draft = DraftBuilder("table:no_money", tuple(found))
        for region, rows in found.items():
            label = self.model.regions.label(region)
            if rows:
                draft.find(Found.NOT_IN_TEXTS, region, self.t("no_money_in_opening", region=label, topic=names))
                draft.add(Bullets(self.t("no_money_in", region=label, topic=names), self.quoted(rows[:MAX_BULLETS])))
            else:
                self.gap(draft, region, topics)
        others = self.model.regions_with(topics, exclude=list(found))
        rows = [m for m in self.model.measures_for(others, topics) if m.benefit.kind in MONEY_KINDS][:MAX_REDIRECT]
        if rows:
            draft.add(Bullets(self.t("redirect_lead", topic=names), tuple(
                self.bullet(m, with_conditions=False, prefix=f"【{self.model.regions.label(m.region)}】") for m in rows)))
        draft.note(office_note(self.model, self.t, list(found)))
        return draft.build(Verdict.NOT_COVERED)

    # ----------------------------------------------------------------- the asked thing is another region's
    def elsewhere(self, intent: Intent, found: dict[str, list[SubsidyMeasure]],
                  topics: tuple[str, ...]) -> list[SubsidyMeasure]:
        """"平原示范区有免费的版权登记服务吗？": the asked region has measures on the topic, but
        the thing asked for is another region's — a measure there matches the question far
        better than any of the asked region's, and its title names something (版权登记) the
        asked region's texts never mention. Those measures, best first (else none).

        A question stating a figure is a premise to check (caveats), not this."""
        asked = [r for r in intent.regions if found.get(r)]
        if len(asked) != 1 or len(found) != 1 or figures_in(intent.query_text):
            return []
        region = asked[0]
        terms = self.terms(intent.query_text)
        own = max(self.relevance(m, terms) for m in found[region])
        if own >= ELSEWHERE_OWN_MAX:
            return []
        others = [r for r in self.model.regions.local() if r != region]
        scored = [(self.relevance(m, terms), m) for m in self.model.measures_for(others, topics)]
        better = [(score, m) for score, m in scored if score - own >= ELSEWHERE_MARGIN
                  and self._names_unmentioned(m, terms, region)]
        better.sort(key=lambda x: -x[0])
        return [m for _, m in better]

    def _names_unmentioned(self, m: SubsidyMeasure, terms: dict[str, float], region: str) -> bool:
        """Does the measure's title name a question word that the region's texts never use?"""
        title, text = m.title.lower(), self.model.region_text(region)
        return any(len(t) >= 2 and self.match.credit(t, title) == 1 and self.match.credit(t, text) == 0
                   for t in terms)

    def _not_here(self, intent: Intent, found: dict[str, list[SubsidyMeasure]], topics: tuple[str, ...],
                  elsewhere: list[SubsidyMeasure]) -> Draft:
        """The finding that the asked region has no such measure, what it does have on the
        topic, and the other regions' measures that match, each named as theirs."""
        region, rows = next(iter(found.items()))
        label, best = self.model.regions.label(region), elsewhere[0]
        draft = DraftBuilder("table:elsewhere", (region,))
        draft.find(Found.NOT_IN_TEXTS, region, self.t("elsewhere_opening", region=label, title=best.title,
                                                        other=self.model.regions.label(best.region)))
        draft.add(Bullets(self.t("elsewhere_own", region=label, topic=self.topic_words(topics)),
                          self.quoted(self.ranked(rows, intent)[:MAX_BULLETS])))
        others = self.model.measures_for(self.model.regions_with(topics, exclude=[region]), topics)
        first = elsewhere[:MAX_BULLETS]
        matched = {m.id for m in first}
        shown = [*first, *(m for m in others if m.id not in matched)][:MAX_REDIRECT]
        draft.add(Bullets(self.t("elsewhere_lead"), tuple(
            self.bullet(m, with_conditions=False, prefix=f"【{self.model.regions.label(m.region)}】") for m in shown)))
        draft.note(office_note(self.model, self.t, [region]))
        return draft.build(Verdict.NOT_COVERED)

    def overview(self, regions: list[str]) -> Draft:
        """"有哪些扶持政策？" with no region: which kinds of support each region's texts
        cover, and an invitation to name one (the full lists are long)."""
        draft = DraftBuilder("table:overview", tuple(regions))
        items = []
        for region in regions:
            rows = self.model.measures_for([region])
            if not rows:
                continue
            topics = list(dict.fromkeys(t for m in rows for t in m.topics))
            order = list(self.model.topics.topics)
            topics.sort(key=order.index)
            items.append(Paragraph.of(self.t("overview_row", region=self.model.regions.label(region),
                                             topics="、".join(self.model.topics.name(t) for t in topics))))
        draft.add(Bullets(self.t("overview_lead"), tuple(items)))
        return draft.build(Verdict.ANSWERED)

    def total(self, intent: Intent) -> Draft:
        return self.list(intent)

    # ----------------------------------------------------------------- compare
    def compare(self, intent: Intent) -> Draft:
        topics = intent.topics or intent.weak_topics
        book = self.model.regions
        named = [r for r in intent.named_regions if book.regions[r].level is not Level.NATIONAL]
        regions = named if len(named) >= 2 else [r for r in book.local() if self.model.measures_for([r], topics)]
        rows = self.model.measures_for(regions, topics)
        if not rows:
            return self.not_covered(intent, named, topics)
        draft = DraftBuilder("table:compare", tuple(regions))
        if ("more" in intent.asks or intent.asks & {"amount", "ratio"}) and "condition" not in intent.asks:
            self._higher(draft, intent, regions, rows)  # (not "哪边门槛低": that compares conditions)
        topic_part = self.t("compare_topic", topic=self.topic_words(topics)) if topics else ""
        table_rows = []
        for m in rows:
            status = str(self.model.documents[m.doc_id].status)
            table_rows.append(Row((book.label(m.region), m.title, m.benefit.description, self.money(m),
                                   self.conditions(m) or self.t("no_conditions"), status), self.source(m)))
        draft.add(Table(self.t("compare_lead", topic=topic_part), tuple(self.t.items("columns_compare")), tuple(table_rows)))
        missing = [r for r in regions if not any(m.region == r for m in rows)]
        for region in missing:
            draft.note(self.t("not_covered_topic_in", region=book.label(region), topic=self.topic_words(topics) or self.t("any_topic")))
        if len({m.region for m in rows}) > 1 and any(m.benefit.kind == "cost_ratio" for m in rows):
            draft.note(self.t("cost_ratio_note"))
        self.table_notes(draft, rows)
        return draft.build(Verdict.ANSWERED)

    def _higher(self, draft: DraftBuilder, intent: Intent, regions: list[str], rows: list[SubsidyMeasure]) -> None:
        """"哪个高？哪边给得多？": the opening names, for each region, the highest sum its most
        relevant rows state and which is higher; a region whose rows state no sum (a share of
        cost alone, 按实际发生) is said to give none."""
        terms = self.terms(intent.query_text)
        best: dict[str, tuple[float, SubsidyMeasure]] = {}
        unstated, absent = [], []
        for region in regions:
            own = [m for m in rows if m.region == region]
            valued = [(v, m) for m in self._most_relevant(own, terms)[0] if (v := stated_sum(m)) is not None] if own else []
            if valued:
                best[region] = max(valued, key=lambda x: x[0])
            else:
                (unstated if own else absent).append(region)
        if not best or len(regions) < 2:
            return
        order = sorted(best, key=lambda r: -best[r][0])
        label = self.model.regions.label
        if len(order) == 1:
            lead = self.t("compare_only", region=label(order[0]))
        elif best[order[0]][0] == best[order[1]][0]:
            lead = self.t("compare_equal")
        else:
            lead = self.t("compare_higher", region=label(order[0]))
        spans: list[Span | str] = [lead]
        for i, region in enumerate(order):
            m = best[region][1]
            amount = m.benefit.cap or m.benefit.amount
            key = ("amount_opening" if i else "compare_first") + ("_titled" if amount in m.title else "")
            shown = self.t(key, region=label(region), title=m.title, amount=amount)
            spans.append(Span(f"；{shown}" if i else shown, self.source(m)))
        spans += [self.t("compare_no_sum", region=label(r)) for r in unstated]
        spans += [self.t("compare_no_rows", region=label(r)) for r in absent]
        spans.append("。")
        draft.find(Found.FIGURE, order[0], *spans, facet="figure")

    # ----------------------------------------------------------------- scenarios
    def verdicts(self, profile: ProducerProfile) -> list[MeasureVerdict]:
        scope: set[str] = set()
        for r in profile.regions:
            if r in self.model.regions.regions:
                scope |= {r, *self.model.regions.parents(r)}
        return check(profile, self.model.measures, scope, self.model.lexicon.profile)

    def scenario(self, intent: Intent) -> Draft:
        # "我们5个人去郑州拍，有没有像衢江那样免费住宿": nothing there on what the question asks
        # about (a topic of a clause that asks; "不打算迁户口" only tells about the asker)
        asked = self.model.topics.match(" ".join(asking_parts(intent, self.model.lexicon.facts["question"]))).strong
        if asked and intent.regions and not self.model.measures_for(intent.regions, asked):
            return self.list(intent)
        profile = intent.profile or ProducerProfile(regions=list(intent.regions))
        if not profile.regions:
            profile = profile.model_copy(update={"regions": self.regions_of(intent)})
        return self.report(profile, kind="table:scenario", topics=intent.topics, intent=intent)

    def report(self, profile: ProducerProfile, kind: str = "check", topics: tuple[str, ...] = (),
               intent: Intent | None = None) -> Draft:
        """The 补贴测算 report: what applies, what might (and what to confirm), what not.
        Asked from a question, it opens with the verdict on the measures the question names."""
        verdicts = self.verdicts(profile)
        regions = [r for r in profile.regions if r in self.model.regions.regions]
        draft = DraftBuilder(kind, tuple(regions))
        if intent is not None and verdicts:
            self.judged_findings(draft, self.asked_verdicts(intent, verdicts, topics))
        label = "、".join(self.model.regions.label(r) for r in regions) or self.model.regions.covered()
        facts = self.facts(profile)
        draft.add(Paragraph.of(self.t("scenario_lead", facts=facts, region=label) if facts
                               else self.t("scenario_no_facts", region=label)))
        if not verdicts:
            draft.add(Paragraph.of(self.t("check_empty")))
            return draft.build(Verdict.NOT_COVERED)
        groups = self._grouped(profile, verdicts, regions, topics)
        self._report_sections(draft, groups)
        if groups.left_out > 0 and regions:
            draft.note(self.t("scenario_more", count=groups.left_out, region=self.model.regions.label(regions[0])))
        self.table_notes(draft, [v.measure for v in [*groups.cash, *groups.maybe]])
        draft.note(self.t("scenario_note"))
        applies = any(v.verdict is Eligibility.APPLIES for v in verdicts)
        return draft.build(Verdict.ANSWERED if applies or groups.maybe else Verdict.NOT_COVERED)

    def _grouped(self, profile: ProducerProfile, verdicts: list[MeasureVerdict], regions: list[str],
                 topics: tuple[str, ...]) -> ReportGroups:
        """The verdicts in the report's sections; what applies or may apply only on the
        topics the stated facts (or the question) make relevant."""
        relevant = self.relevant_topics(profile) | set(topics)

        def matters(v: MeasureVerdict) -> bool:
            return not relevant or bool(relevant & set(v.measure.topics))

        applies = [v for v in verdicts if v.verdict is Eligibility.APPLIES]
        decided = [v for v in applies if v.measure.conditions and any(
            self.judged(c, v.measure, profile) for c in v.measure.conditions)]
        cash = decided + [v for v in applies if v not in decided and v.measure.benefit.kind in CASH_KINDS and matters(v)]
        # Services without conditions: the asked region's own, not its province's.
        services = [v for v in applies if v not in cash and v.measure.region in regions and matters(v)]
        maybe = [v for v in verdicts if v.verdict is Eligibility.MAYBE and matters(v)
                 and (v.measure.region in regions or v.measure.benefit.kind in CASH_KINDS)]
        no = [v for v in verdicts if v.verdict is Eligibility.NO]
        left_out = len(verdicts) - len(cash) - len(services) - len(maybe) - len(no)
        return ReportGroups(cash, maybe, services, no, left_out)

    def _report_sections(self, draft: DraftBuilder, groups: ReportGroups) -> None:
        """What applies, what may apply, the services that apply, what does not."""
        sections = [(self.t("scenario_applies"), groups.cash), (self.t("scenario_maybe"), groups.maybe)]
        for title, group in sections:
            if group:
                draft.add(Bullets(self.t("scenario_section", label=title, count=len(group)),
                                  tuple(self._verdict_item(v) for v in group)))
        if groups.services:
            draft.add(Bullets(self.t("scenario_services", count=len(groups.services)),
                              tuple(self.bullet(v.measure, with_conditions=False) for v in groups.services)))
        if groups.no:
            draft.add(Bullets(self.t("scenario_section", label=self.t("scenario_no"), count=len(groups.no)),
                              tuple(self._verdict_item(v) for v in groups.no)))

    def asked_verdicts(self, intent: Intent, verdicts: list[MeasureVerdict],
                       topics: tuple[str, ...]) -> list[MeasureVerdict]:
        """The verdicts on the measures the question asks about, one per clause that asks
        (on the question's topics, the measure whose words the clause uses most); those
        that apply or may apply before those that do not."""
        pool = [v for v in verdicts if not topics or set(topics) & set(v.measure.topics)] or verdicts
        parts = asking_parts(intent, self.model.lexicon.question)
        asked = [v for part in parts for v in self._asked_in(part, pool, intent)]
        everything = any(self.model.lexicon.intent_patterns["list_all"].search(p) for p in parts)
        if not asked and topics and not everything:
            # "衢江的研发补助：……能补多少？": the measure is named before the clause that asks
            # (not "能享受哪些？": that asks for everything)
            asked = self._asked_in(intent.topic_text, pool, intent)
        unique = list({id(v): v for v in asked}.values())[:MAX_OPENING_VERDICTS + 1]
        # "能拿8万再加50%吗": measures named by their figures in the order asked; the others
        # that apply or may apply before those that do not
        # (and a measure called by its own name before the verdicts on measures found by words)
        return sorted(unique, key=lambda v: (_named_at(intent.text, v.measure),
                                             _title_core(v.measure.title) not in intent.text, v.verdict is Eligibility.NO))

    def _asked_in(self, part: str, pool: list[MeasureVerdict], intent: Intent) -> list[MeasureVerdict]:
        """The verdicts one clause asks about: the measures stating a figure it names, else
        those whose words it uses most."""
        terms = self.terms(part)
        money = bool(self.model.lexicon.money.search(part))  # "补贴能拿吗": a measure that pays
        named = figures_in(part)  # "能给8万再加50%吗": the measures stating those figures
        asked = [v for v in pool if set(named) & set(figures_in(v.measure.money))]
        # "拍摄补贴给多少？": a measure called by its own name (its title before any "（…）"),
        # the longest name said ("冬季拍摄补贴" is not also "拍摄补贴")
        cores = {core for v in pool if len(core := _title_core(v.measure.title)) >= 3 and core in part}
        said = {c for c in cores if not any(c != o and c in o for o in cores)}
        asked += [v for v in pool if v not in asked and _title_core(v.measure.title) in said]
        scored = sorted(((self.relevance(v.measure, terms) + (0.2 if money and v.measure.benefit.kind in MONEY_KINDS
                                                               else 0.0), v.measure.region not in intent.regions, i, v)
                         for i, v in enumerate(pool)), key=lambda x: (-x[0], x[1], x[2]))
        if scored and scored[0][0] > 0 and not asked:  # (a figure no measure states is the asker's: 取景占75%)
            best = scored[0][0]
            asked += [v for score, _, _, v in scored if score >= 0.9 * best][:MAX_OPENING_VERDICTS]
        return asked

    def judged_findings(self, draft: DraftBuilder, verdicts: list[MeasureVerdict]) -> None:
        """One verdict sentence per asked measure: 不符合 (and the condition that fails),
        可能适用 (and what to confirm) or 适用 (and what it gives)."""
        kinds = {Eligibility.NO: Found.NOT_MET, Eligibility.MAYBE: Found.TO_CONFIRM, Eligibility.APPLIES: Found.MET}
        for v in verdicts:
            m = v.measure
            key = {Eligibility.NO: "verdict_no", Eligibility.MAYBE: "verdict_maybe"}.get(v.verdict, "verdict_applies")
            if all(r.clause_id is None for r in v.reasons):
                reasons = "；".join(self.reason(r) for r in v.reasons)
                text = self.t(key, title=m.title, reasons=reasons, money=self.money(m))
                draft.find(kinds[v.verdict], m.region, Span(text, self.source(m)), facet="condition")
                continue
            head, tail = self.t(key, title=m.title, reasons=REASONS, money=self.money(m)).split(REASONS)
            draft.find(kinds[v.verdict], m.region, *self.reason_spans(v, head), *([Span(tail)] if tail else []),
                       facet="condition")

    def relevant_topics(self, profile: ProducerProfile) -> set[str]:
        """Topics the stated facts make relevant (lexicon: profile.fact_topics / plan_topics)."""
        words = self.model.lexicon.profile
        topics: set[str] = set()
        for name in [*profile.fact_fields(), *(["shooting"] if profile.shooting else [])]:
            topics |= set(words.fact_topics.get(name, ()))
        for plan in profile.plans:
            topics |= set(words.plan_topics.get(plan, ()))
        return topics

    def judged(self, cond: Condition, measure: SubsidyMeasure, profile: ProducerProfile) -> bool:
        """Did a stated fact (not an unknown) decide this condition?"""
        met, _ = Judge(self.model.lexicon.profile).judge(cond, measure, profile)
        return met is True and cond.type not in ("shoot_in_region",)

    def reason(self, reason: Reason) -> str:
        """A failing condition or what to confirm, in the wording of prompts/answer.yaml."""
        return self.t(f"reason_{reason.key}", **reason.values)

    def reason_spans(self, v: MeasureVerdict, head: str) -> list[Span]:
        """``head`` and the measure's own reasons, cited to the measure; a reason from the
        document's 申报条件 follows, cited to that clause."""
        own = "；".join(self.reason(r) for r in v.reasons if r.clause_id is None)
        spans = [Span(head + own, self.source(v.measure) if own else None)]
        for r in (r for r in v.reasons if r.clause_id is not None):
            joiner = "；" if own or len(spans) > 1 else ""
            spans.append(self.reason_span(r, joiner))
        return spans

    def reason_span(self, r: Reason, lead: str) -> Span:
        """A reason from the document's 申报条件, cited to that clause."""
        return Span(lead + self.reason(r), Source(r.clause_id, r.values.get("text", "")))

    def _verdict_item(self, v: MeasureVerdict) -> Paragraph:
        m = v.measure
        text = self.t("scenario_row", title=m.title, money=self.money(m))
        if m.benefit.kind in CASH_KINDS:
            text += self.t("row_quote", quote=m.quote)
        spans = [Span(text, self.source(m))]
        lead = self.t("scenario_reason", reason=REASONS).split(REASONS)[0]
        own = "；".join(self.reason(r) for r in v.reasons if r.clause_id is None)
        if own:
            spans.append(Span(lead + own))
        spans += [self.reason_span(r, lead) for r in v.reasons if r.clause_id is not None]
        return Paragraph(tuple(spans))

    def facts(self, p: ProducerProfile) -> str:
        """The profile in the bot's own words (names from the knowledge, no user figures)."""
        return "，".join([*self._place_facts(p), *self._company_facts(p), *self._work_facts(p)])

    def _place_facts(self, p: ProducerProfile) -> list[str]:
        """Where the crew comes from, shoots and is registered."""
        t = self.t
        parts = []
        if p.coming_from:
            parts.append(t("fact_crew_from", origin=p.coming_from))
        regions = [self.model.regions.label(r) for r in p.regions if r in self.model.regions.regions]
        if regions and (p.shooting or p.shoot_share):
            parts.append(t("fact_shoot_in", region="、".join(regions)))
        for key, place in (("fact_registered", p.registered_in), ("fact_event_at", p.event_place)):
            if place:
                parts.append(t(key, place=self.model.regions.label(place) if place in self.model.regions.regions else place))
        return parts

    def _company_facts(self, p: ProducerProfile) -> list[str]:
        """The company's stage and size."""
        t = self.t
        parts = []
        if p.company == "new":
            parts.append(t("fact_new_company"))
        elif p.company == "first_above_scale":
            parts.append(t("fact_above_scale"))
        elif p.established:
            parts.append(t("fact_established"))
        if p.above_scale is False:
            parts.append(t("fact_below_scale"))
        return parts

    def _work_facts(self, p: ProducerProfile) -> list[str]:
        """The script's selection, the park, the theme, R&D, the people hired and the plans."""
        t = self.t
        parts = []
        if p.script_selected_by in self.model.lexicon.profile.none_words:
            parts.append(t("fact_script_none"))
        elif p.script_selected_by:
            parts.append(t("fact_script", level=p.script_selected_by))
        if p.park_level:
            parts.append(t("fact_park", level=p.park_level))
        if p.local_theme:
            parts.append(t("fact_local_theme"))
        elif p.local_theme is False:
            parts.append(t("fact_not_local_theme"))
        if p.rnd_grew is False:
            parts.append(t("fact_rnd_declined"))
        if p.job_seekers:
            parts.append(t("fact_job_seekers"))
        if p.graduates:
            parts.append(t("fact_graduates"))
        if p.plans:
            parts.append(t("fact_plans", plans="、".join(p.plans)))
        if p.no_plans:
            parts.append(t("fact_no_plans", plans="、".join(p.no_plans)))
        return parts


def _topic_key(model: PolicyModel, name: str) -> str:
    return next((k for k, t in model.topics.topics.items() if t.name == name), name)


def _title_core(title: str) -> str:
    """A row's name without what sets it apart from its siblings: "播放量奖励（达到5000万次）" → "播放量奖励"."""
    return re.split(r"[（(]", title, maxsplit=1)[0].strip()


def _named_at(text: str, m: SubsidyMeasure) -> int:
    """Where ``text`` first names a figure the measure states (len(text) when it names none)."""
    stated = set(figures_in(m.money))
    places = [f.start() for f in FIGURE.finditer(text) if figures_in(f.group(0))[0] in stated]
    return min(places, default=len(text))


def stated_sum(m: SubsidyMeasure) -> float | None:
    """The largest sum in yuan a row states as its amount or cap ("最高100万元" → 1e6); None
    when it states only a share or nothing."""
    units = {"万": 10_000, "亿": 100_000_000}
    values = [float(f[:-1]) * units[f[-1]] for part in (m.benefit.amount, m.benefit.cap) if part
              for f in figures_in(part) if f[-1] in units]
    return max(values) if values else None


def _states(m: SubsidyMeasure, figures: tuple[str, ...]) -> bool:
    """Does the row's title or one of its own conditions state one of ``figures``?"""
    return bool(set(figures) & set(figures_in(" ".join([m.title, conditions_text(m)]))))
