"""Named sets: "八大行动分别叫什么？", "哪11个部门联合搞的？", "黄金十二条覆盖哪六个方面？".

The question states how many (八大, 11个, 六个) and asks for the names. The texts
enumerate such sets in a few shapes, found by their size, never by their words:

* a heading that announces the count ("八大行动构建…", "实施八大“微短剧+”创作计划"),
  whose paragraphs each start with an item's name ("文旅赋能：…");
* items that announce their own names (①…⑥, 一是…五是), in one clause or in the
  paragraphs of one section;
* one sentence that lists the items, with 、 or ；.

Of the sets of the asked size, the one whose words the question shares most is answered
with every item (and the sentence that announces it, "实施五大工程19项任务："); a sentence
that announces the count but names fewer items ("A、B、C等7大场景") is reported as not given
in full. No set of that size about the question: None (the other composers answer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer.composer import Composer
from bot.answer.draft import Bullets, Draft, DraftBuilder, Found, Paragraph, Source, Span, Verdict
from bot.answer.evidence import FULL_SENTENCE
from bot.answer.intent import COUNT, Intent, count_value
from bot.models import Clause
from bot.policy.book import ITEM_MARK

NAME_END = re.compile(r"^(.{2,24}?)[：:]")
COUNTED = re.compile(rf"{COUNT}\s*(?:大|个|项|条|类|方面)")
COUNTED_NOUN = re.compile(rf"{COUNT}\s*(?:大|个|项|条|类)?\s*[\u4e00-\u9fff]{{1,4}}")
PARTLY = re.compile(rf"((?:[^、，。]{{2,20}}、)+[^、，。]{{2,20}})等\s*{COUNT}\s*[大个项类]")


@dataclass(frozen=True)
class NamedSet:
    items: tuple[tuple[str, Source], ...]  # (name, where it is said)
    context: str  # the words around it (headings, the announcing sentence): relevance
    announcement: str = ""  # the words that announce it ("八大行动…", "…三个方面", "实施五大工程…")
    intro: Source | None = None  # the sentence that announces it ("实施五大工程19项任务：")
    whole: Source | None = None  # one sentence that lists every item: quoted whole


class SetComposer(Composer):

    def compose(self, intent: Intent) -> Draft | None:
        count = intent.count
        if not count or count < 2:
            return None
        scope = {r for key in intent.regions for r in self.model.regions.scope(key)}
        whole = self.model.clause_texts  # a long clause is stored in parts: read it whole
        clauses = [c.model_copy(update={"text": whole[c.clause_id]}) for c in self.model.clauses
                   if c.chunk_id == c.clause_id and (not scope or c.region in scope)]
        terms = self.terms(intent.topic_text)
        candidates = [*self._headed(clauses, count), *self._marked(clauses, count), *self._listed(clauses, count)]
        scored = [(self._relevance(s, terms, count, intent.count_noun), i, s) for i, s in enumerate(candidates)]
        scored = [x for x in scored if x[0] > 0]
        if scored:
            return self._answer(max(scored, key=lambda x: (x[0], -x[1]))[2], count)
        partial = self._partly_named(clauses, count, terms)
        return self._not_in_full(count, *partial) if partial else None

    def _relevance(self, found: NamedSet, terms: dict[str, float], count: int, noun: str) -> float:
        """How well a set of the right size is the one asked about: the question's words
        around it, its count said with the question's noun ("三个方面"), items named by it."""
        score = self.match.coverage(terms, found.context)
        if noun and any(noun in m.group(0) and count_value(m.group(1)) == count
                        for m in COUNTED_NOUN.finditer(found.announcement)):
            score += 1.0
        if noun:
            score += 0.5 * sum(noun in name for name, _ in found.items) / len(found.items)
        return score

    # ----------------------------------------------------------------- the shapes
    def _headed(self, clauses: list[Clause], count: int) -> list[NamedSet]:
        """Paragraphs under a heading that announces ``count`` things, each starting with a
        name ("文旅赋能：…")."""
        groups: dict[str, list[Clause]] = {}
        for c in clauses:
            for heading in c.heading_path:
                if count in _counts(heading):
                    groups.setdefault(heading, []).append(c)
        found = []
        for heading, members in groups.items():
            items = [(m.group(1), Source(c.clause_id, _first_sentence(c.text))) for c in members
                     if (m := NAME_END.match(c.text)) and not m.group(1).endswith(("如下", "包括", "方面"))]
            if len(items) == count:
                found.append(NamedSet(tuple(items), heading, heading))
        return found

    def _marked(self, clauses: list[Clause], count: int) -> list[NamedSet]:
        """①…⑥ or 一是…六是, each announcing its name, in one clause (with the sentence
        before them that announces them) or in the paragraphs of one section."""
        found = []
        sections: dict[tuple[str, ...], list[tuple[str, Source]]] = {}
        for c in clauses:
            marks = list(ITEM_MARK.finditer(c.text))
            if len(marks) == count:
                lead = c.text[:marks[0].start()].strip()
                intro = Source(c.clause_id, lead) if lead and count in _counts(lead) and "\n" not in lead else None
                items = tuple((m.group("name"), Source(c.clause_id, m.group(0))) for m in marks)
                found.append(NamedSet(items, " ".join([*c.heading_path, c.text]), lead, intro))
            elif len(marks) == 1 and marks[0].start() == 0:
                # the item's own heading (its name) ends the path: group by the rest
                path = c.heading_path[:-1] if c.heading_path and marks[0].group("name") in c.heading_path[-1] \
                    else c.heading_path
                sections.setdefault(tuple(path), []).append((marks[0].group("name"), Source(c.clause_id, marks[0].group(0))))
        parents = {tuple(c.heading_path): c for c in clauses}
        for path, items in sections.items():
            if len(items) != count:
                continue
            parent = parents.get(path)  # the section's own text announces its items ("实施五大工程…：")
            said = [m.group(0).strip() for m in FULL_SENTENCE.finditer(parent.text)] if parent else []
            intro = next((Source(parent.clause_id, x) for x in said if count in _counts(x)), None)
            found.append(NamedSet(tuple(items), " ".join(path), " ".join([*path, *said]), intro))
        return found

    def _listed(self, clauses: list[Clause], count: int) -> list[NamedSet]:
        """One sentence that lists ``count`` items with 、 (in one comma-part) or with ；."""
        found = []
        for c in clauses:
            for sentence in (m.group(0).strip() for m in FULL_SENTENCE.finditer(c.text)):
                run = max(sentence.split("，"), key=lambda p: p.count("、"))
                joined = run.split("、")
                last = re.split(r"和|及|与", joined[-1], maxsplit=1)  # "A、B和C三个方面"
                parts = [joined, [*joined[:-1], *last], sentence.split("；")]
                for items in parts:
                    if len(items) == count and all(items):
                        source = Source(c.clause_id, sentence)
                        # what the list is said to be, in its own clause: "…三个方面同步发力"
                        after = re.split(r"[，。；]", sentence[sentence.find(run) + len(run):])[0][:12]
                        found.append(NamedSet(tuple((item, source) for item in items),
                                              " ".join([*c.heading_path, sentence]), items[-1] + after, whole=source))
                        break
        return found

    def _partly_named(self, clauses: list[Clause], count: int, terms: dict[str, float]) -> tuple[Source, int] | None:
        """A sentence about the question that announces ``count`` things but names fewer
        ("A、B、C等7大场景")."""
        for c in clauses:
            for sentence in (m.group(0).strip() for m in FULL_SENTENCE.finditer(c.text)):
                for m in PARTLY.finditer(sentence):
                    named = m.group(1).count("、") + 1
                    if count_value(m.group(2)) == count and named < count and self.match.coverage(terms, sentence):
                        return Source(c.clause_id, sentence), named
        return None

    # ----------------------------------------------------------------- answers
    def _answer(self, found: NamedSet, count: int) -> Draft:
        first = found.whole or found.items[0][1]
        region = self.model.clause(first.clause_id).region
        label = self.model.regions.label(region)
        draft = DraftBuilder("sets", (region,))
        if found.whole is not None:  # one sentence lists them: quoted whole
            draft.find(Found.STATED, region, self.t("set_opening_quoted", region=label, count=count),
                       Span(found.whole.quote, found.whole), facet="list")
            return draft.build(Verdict.ANSWERED)
        names = "、".join(name for name, _ in found.items)
        draft.find(Found.STATED, region, Span(self.t("set_opening", region=label, count=count, names=names), first),
                   facet="list")
        if found.intro is not None:
            draft.add(Paragraph((Span(found.intro.quote, found.intro),)))
        draft.add(Bullets(None, tuple(Paragraph((Span(source.quote, source),)) for _, source in found.items)))
        return draft.build(Verdict.ANSWERED)

    def _not_in_full(self, count: int, source: Source, named: int) -> Draft:
        region = self.model.clause(source.clause_id).region
        draft = DraftBuilder("sets", (region,))
        draft.find(Found.NOT_IN_TEXTS, region, self.t("set_partly_named", region=self.model.regions.label(region),
                                                         count=count, named=named), facet="list")
        draft.add(Paragraph((Span(source.quote, source),)))
        return draft.build(Verdict.NOT_COVERED)


def _counts(text: str) -> set[int]:
    """The counts a heading or sentence announces ("八大行动", "实施五大工程19项任务")."""
    return {n for m in COUNTED.finditer(text) if (n := count_value(m.group(1)))}


def _first_sentence(text: str) -> str:
    m = FULL_SENTENCE.search(text)
    return m.group(0).strip() if m else text
