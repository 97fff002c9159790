"""What every answer carries besides its evidence, decided from the intent and the
draft's sources, in the bot's own words: the follow-up assumption, premise corrections,
scope (杭州 → 余杭), and document status (draft, news report, research article).

Nothing here copies user text: regions and topics are named from the knowledge.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.answer.draft import Draft, Paragraph, Source, Span, Verdict
from bot.answer.evidence import sentences
from bot.answer.from_documents import PLAN_PERIOD, validity_sentence
from bot.answer.intent import Ask, Intent, asking_spans, figures_in
from bot.answer.templates import Templates
from bot.index.text import to_simplified
from bot.models import DocStatus
from bot.policy.book import PolicyModel
from bot.policy.regions import Level, Relation


def claimed_figures(intent: Intent, model: PolicyModel) -> list[str]:
    """Figures the question states as a region's support ("最高给100万"), not the
    producer's own (注册资本50万, 成本12万): a support word near it, no own-figure word.
    A question that checks a claim ("听说…是真的吗", "…对吗") claims every figure it
    states that is not the producer's own (a target, a count of measures)."""
    lex = model.lexicon
    checks = checks_claim(intent, model)
    claimed = []
    for figure in intent.figures:
        number = re.escape(_number(figure))
        for m in re.finditer(number, intent.text):
            unit_end = m.end() + re.match(r"\s*个?\s*[万亿%]?", intent.text[m.end():]).end()
            if lex.figure_count.search(intent.text[unit_end:unit_end + 4]):
                continue  # "播了2000万次": a count, not money
            near = intent.text[max(0, m.start() - 10):m.end() + 12]
            # the producer's own figure: an own-figure word earlier in the same clause of
            # the question ("研发投入从去年的120万涨到今年的300万")
            just_before = re.split(r"[，,。；;？?！!]", intent.text[:m.start()])[-1]
            if (checks or lex.intent_patterns["support"].search(near)) and not lex.own_figure.search(just_before):
                claimed.append(figure)
                break
    return claimed


def checks_claim(intent: Intent, model: PolicyModel) -> bool:
    """Does the question check what someone claims ("听说…是真的吗", "…对吗")?"""
    return bool(model.lexicon.claim_check.search(intent.text.lower()))


def counterpart(intent: Intent, model: PolicyModel, figure: str) -> tuple[str, str] | None:
    """The sentence of the asked regions' texts on what a claimed figure is about ("衢江剧本
    入选总局评比能拿10万" → the sentence giving 8万元): one stating a figure of the same unit
    and sharing most words with the claim around it (None when none shares two)."""
    if not intent.regions:
        return None
    scope = {s for r in intent.regions for s in model.regions.scope(r)}
    words = claim_words(intent, figure)
    best, best_score = None, 1
    for other, found in model.figures.items():
        if _unit(other) != _unit(figure):
            continue
        for clause_id, sentence in found:
            if model.clause(clause_id).region not in scope:
                continue
            score = len(words & _bigrams(sentence))
            if score > best_score:
                best, best_score = (clause_id, sentence), score
    return best


def claim_words(intent: Intent, figure: str) -> set[str]:
    """The words of the question around a figure it states, the places named left out (every
    sentence of a region's text is about the region): what a sentence on the claim shares."""
    text = intent.text
    for place in intent.places:
        start, end = place.span
        text = text[:start] + " " * (end - start) + text[end:]
    at = text.find(_number(figure))
    return _bigrams(text[max(0, at - 16):at + len(figure) + 10]) if at >= 0 else set()


def _number(figure: str) -> str:
    """"10万" → "10": a canonical figure's number as a question may write it."""
    return figure[:-1] if _unit(figure) else figure


def _unit(figure: str) -> str:
    return figure[-1] if figure[-1] in "万亿%" else ""


def _bigrams(text: str) -> set[str]:
    """Two-character words and whole numbers (a year: "2027") of ``text``."""
    chinese = re.sub(r"[^\u4e00-\u9fff]", " ", to_simplified(text))
    return {chinese[i:i + 2] for i in range(len(chinese) - 1) if " " not in chinese[i:i + 2]} | \
        set(re.findall(r"\d{4}", text))


class Caveats:
    def __init__(self, model: PolicyModel, templates: Templates) -> None:
        self.model = model
        self.t = templates
        if not model.figures:
            model.index_figures(lambda text: figures_in(text, digits_only=True), sentences)
        self._figures = model.figures

    def dress(self, intent: Intent, draft: Draft) -> Draft:
        """The draft with its leading lines and trailing status notes (a decline stays as is)."""
        if draft.verdict is Verdict.DECLINED:
            return draft
        lead: list[Paragraph] = self.understood(intent)
        assumed = self.assumed(intent)
        if assumed:
            lead.append(assumed)
        corrections = self.premises(intent)  # a false premise is the first thing to say
        lead += corrections
        containers = self.containers(intent) if draft.verdict is Verdict.ANSWERED else []
        # "衢州市本级没有…？": the place asked about has nothing of its own; "河南省有什么补贴":
        # what its regions have, theirs only — said before their measures
        lead += containers
        lead += [f.sentence for f in draft.subject_findings]  # the verdict first, then the evidence
        if draft.verdict is Verdict.ANSWERED:
            lead += self.scope(intent)
        status = self.status(draft) if draft.kind != "status" else []  # (a status answer says it per document)
        if intent.ask is Ask.STATUS and draft.verdict is Verdict.ANSWERED and draft.kind != "status":
            # "生效了吗？" about a draft for comment: that it is one is the answer, first
            drafts = [self._draft_note(d) for d in self._documents(draft) if self.model.documents[d].is_draft]
            at = 1 if assumed else 0
            lead[at:at] = drafts
            status = [n for n in status if n not in drafts]
        notes = [*draft.notes, *status]
        verdict = Verdict.ANSWERED if corrections and draft.verdict is Verdict.NOT_COVERED else draft.verdict
        if containers and not corrections and self.model.lexicon.own_level.search(intent.text):
            verdict = Verdict.NOT_COVERED
        return replace(draft, verdict=verdict, blocks=(*lead, *draft.blocks), notes=tuple(dict.fromkeys(notes)))

    # ----------------------------------------------------------------- lead lines
    def understood(self, intent: Intent) -> list[Paragraph]:
        """"郑洲" read as 郑州: a covered place's name the question spelt otherwise, said
        (what the user typed, simplified, against what the bot read)."""
        typed = to_simplified(intent.question)
        if len(typed) != len(intent.text):
            return []
        read: dict[str, str] = {}
        for place in intent.places:
            written, name = typed[slice(*place.span)], intent.text[slice(*place.span)]
            if place.relation is Relation.SAME and written != name:
                read.setdefault(written, name)
            elif place.relation is Relation.SAME and not place.landmark \
                    and place.name.lower() not in self.model.regions.name_index:
                read.setdefault(written, self.model.regions.label(place.regions[0]))  # 曲江 heard as 衢江
        said: list[tuple[int, int]] = []
        for name in self.model.name_forms():  # "浙里微关" read as 浙里微光
            for m in re.finditer(re.escape(name), intent.text):
                inside = any(a <= m.start() and m.end() <= b for a, b in said)
                if typed[m.start():m.end()] != name and not inside:
                    read.setdefault(typed[m.start():m.end()], name)
                    said.append(m.span())
        return [Paragraph.of(self.t("understood_as", typed=a, name=b)) for a, b in read.items()]

    def assumed(self, intent: Intent) -> Paragraph | None:
        f = intent.followup
        if f is None or not (f.regions or f.topics):
            return None
        parts = []
        if f.regions:
            parts.append("、".join(self.model.regions.label(r) for r in f.regions))
        if f.topics:
            parts.append("、".join(self.model.topics.name(t) for t in f.topics))
        return Paragraph.of(self.t("assumed", what=self.t("assumed_sep").join(parts)))

    def containers(self, intent: Intent) -> list[Paragraph]:
        """A place that only contains covered regions (衢州市 ⊃ 衢江区, 河南省 ⊃ 郑州市), asked
        whether it has a policy of its own ("衢州市层面有没有…", "还是只有衢江区有"): it has
        none, and its regions' measures are theirs only."""
        lines = []
        own_level = bool(self.model.lexicon.own_level.search(intent.text))
        for place in self._asked_containers(intent):
            labels = "、".join(self.model.regions.label(r) for r in place.regions)
            # asked of the place's own level: it has none; asked what there is in it: what its
            # regions have, said first to be theirs only
            line = self.t("scope_contains_own" if own_level else "scope_contains", place=place.name, regions=labels)
            lines.append(Paragraph.of(line))
        return list(dict.fromkeys(lines))

    def _asked_containers(self, intent: Intent) -> list:
        """Places asked about that only contain covered regions — not one that qualifies a
        covered place the question also names ("衢州的衢江", "Qujiang district in Quzhou")
        unless asked about at its own level ("衢州市整体…，不光衢江"), nor one asked which
        of its places has something ("杭州哪个区有基金")."""
        lex = self.model.lexicon
        asking = asking_spans(intent.text, lex.question)
        own_level = bool(lex.own_level.search(intent.text))
        if lex.intent_patterns["which_place"].search(intent.text):
            return []
        named = {r for p in intent.places if p.relation is Relation.SAME for r in p.regions}
        return [p for p in intent.scope_places() if p.relation is Relation.CONTAINS
                and any(a <= p.span[0] < b for a, b in asking) and (own_level or not named & set(p.regions))]

    def scope(self, intent: Intent) -> list[Paragraph]:
        """"二七区属于郑州市": a place inside a covered region is answered from it; "衢州市有
        什么政策": from the covered regions inside it, named as theirs."""
        book = self.model.regions
        lines = [Paragraph.of(self.t("scope_inside", place=p.name, region="、".join(book.label(r) for r in p.regions)))
                 for p in intent.scope_places() if p.relation is Relation.INSIDE]
        return list(dict.fromkeys(lines))

    def premises(self, intent: Intent) -> list[Paragraph]:
        """Corrections of a figure or a named programme attributed to the wrong region."""
        asked = set(intent.regions)
        if not asked:
            return []
        scope = {s for r in asked for s in self.model.regions.scope(r)}
        # "衢江有基金吗？余杭不是搞了个2个亿的么": a figure the asker gives its own region
        # (the one named as the comparison) is no premise about the region asked
        scope |= {s for r in intent.compared for s in self.model.regions.scope(r)}
        book = self.model.regions
        lines: list[Paragraph] = []
        checks = checks_claim(intent, self.model)
        for figure in self._claimed(intent):
            found = self._figures.get(figure, [])
            mine = [f for f in found if self.model.clause(f[0]).region in scope]
            theirs = [f for f in found if self.model.clause(f[0]).region not in scope]
            # (a figure no text states is only corrected when the question checks it: else it
            # is not confirmed at all, see unverified)
            own = counterpart(intent, self.model, figure) if found or checks else None
            words = claim_words(intent, figure)
            elsewhere = max((len(words & _bigrams(x[1])) for x in theirs), default=0) if not mine else 0
            if own is not None and figure not in figures_in(own[1], digits_only=True) and \
                    len(words & _bigrams(own[1])) > elsewhere:
                # "衢江剧本能拿10万？": the sentence on what is claimed states another figure
                clause_id, sentence = own
                asked_label = "、".join(book.label(r) for r in intent.regions)
                lines.append(Paragraph((Span(self.t("premise_counter", figure=figure, asked=asked_label)),
                                        Span(sentence, Source(clause_id, sentence)))))
            elif found and not mine and theirs:
                clause_id, sentence = theirs[0]
                owner = book.label(self.model.clause(clause_id).region)
                asked_label = "、".join(book.label(r) for r in intent.regions)
                lines.append(Paragraph((Span(self.t("premise_figure", figure=figure, owner=owner, asked=asked_label)),
                                        Span(sentence, Source(clause_id, sentence)))))
        return lines + self._named_corrections(intent, scope)

    def _named_corrections(self, intent: Intent, scope: set[str]) -> list[Paragraph]:
        """Corrections of a named programme (“黄金10条”) attributed to a region it is not of."""
        book = self.model.regions
        lines: list[Paragraph] = []
        named = [t for t in self.model.named_terms if t in intent.text]
        named = [t for t in named if not any(t != other and t in other for other in named)]  # 短剧+ in 微短剧+
        for term in named:
            regions = self.model.named_terms[term]
            national = any(self.model.regions.regions[r].level is Level.NATIONAL for r in regions
                           if r in self.model.regions.regions)
            if not set(regions) & scope and not national:
                found = next(((c, s) for c in self.model.clauses if term in c.text and c.region in regions
                              for s in sentences(c.text) if term in s), None)
                if found is None:  # the name only spans a sentence break
                    continue
                clause, sentence = found
                owner = "、".join(book.label(r) for r in regions)
                asked_label = "、".join(book.label(r) for r in intent.regions)
                lines.append(Paragraph((Span(self.t("premise_term", term=term, owner=owner, asked=asked_label)),
                                        Span(sentence, Source(clause.clause_id, sentence)))))
                own = self._own_name(term, scope)
                if own:
                    clause_id, own_sentence, own_term = own
                    lines.append(Paragraph((Span(self.t("premise_own", asked=asked_label, term=own_term)),
                                            Span(own_sentence, Source(clause_id, own_sentence)))))
        return lines

    def _claimed(self, intent: Intent) -> list[str]:
        return claimed_figures(intent, self.model)

    def _own_name(self, term: str, scope: set[str]) -> tuple[str, str, str] | None:
        """The asked region's own name for what was misattributed (黄金10条 → its 黄金十二条):
        a name of the region's texts sharing the term's first two characters."""
        for other, regions in self.model.named_terms.items():
            if other != term and other[:2] == term[:2] and set(regions) & scope:
                clause_id = next(c for c in self.model.named_clauses[other]
                                 if self.model.clause(c).region in scope)
                sentence = next(s for s in sentences(self.model.clause(clause_id).text) if other in s)
                return clause_id, sentence, other
        return None

    # ----------------------------------------------------------------- status notes
    def _documents(self, draft: Draft) -> dict[str, list[str]]:
        """The documents a draft cites, in order, each with the regions of its cited clauses."""
        regions_by_doc: dict[str, list[str]] = {}
        for source in draft.sources():
            clause = self.model.clause(source.clause_id)
            regions = regions_by_doc.setdefault(clause.doc_id, [])
            if clause.region not in regions:
                regions.append(clause.region)
        return regions_by_doc

    def status(self, draft: Draft) -> list[Paragraph]:
        regions_by_doc = self._documents(draft)
        notes = []
        for doc_id in regions_by_doc:
            doc = self.model.documents[doc_id]
            if doc.status is DocStatus.DRAFT:
                notes.append(self._draft_note(doc_id))
            elif doc.status is DocStatus.NEWS:
                notes.append(Paragraph.of(self.t("news_note")))
            elif doc.status is DocStatus.INTERPRETATION:
                notes.append(Paragraph.of(self.t("interpretation_note")))
            elif doc.status is DocStatus.PRESS:
                notes.append(Paragraph.of(self.t("press_note")))
            elif doc.status is DocStatus.ARTICLE:
                regions = "、".join(self.model.regions.label(r) for r in regions_by_doc[doc_id])
                notes.append(Paragraph.of(self.t("article_note", regions=regions)))
            period = PLAN_PERIOD.search(doc.title)
            if period and doc.status is not DocStatus.DRAFT:
                notes.append(Paragraph.of(self.t("plan_period", period=period.group(1))))
        return notes

    def _draft_note(self, doc_id: str) -> Paragraph:
        doc = self.model.documents[doc_id]
        found = validity_sentence(self.model, doc_id)
        if found:
            clause_id, sentence = found
            return Paragraph((Span(self.t("draft_note", title=doc.title, validity=sentence.rstrip("。"))),
                              Span("", Source(clause_id, sentence)), Span("。")))
        return Paragraph.of(self.t("draft_note_plain", title=doc.title))
