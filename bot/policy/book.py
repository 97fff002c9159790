"""The policy model, loaded once: documents and clauses, regions and places, topics,
the lexicon, support measures and filming sites — every row checked against the texts.

Lower stages (ingest, index) do not import this; the answer stages read from it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.ingest.load import retired_ids
from bot.models import Clause, PolicyDocument
from bot.policy.lexicon import Lexicon
from bot.policy.model import Site, SubsidyMeasure, load_table
from bot.policy.regions import Gazetteer, RegionBook
from bot.policy.topics import TopicBook

log = logging.getLogger(__name__)
QUOTED = re.compile(r"“([^”]{3,30})”|\"([^\"]{3,30})\"|《([^《》]{3,40})》")


# "三、", "（一）", "1." before a heading's name
PART_NUMBER = re.compile(r"^\s*(?:第[一二三四五六七八九十百零\d]+[条章节编]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])\s*")
# a list item that starts with its name: "三是实施短剧精品培优工程。", "①鼓励剧本创作："
ITEM_MARK = re.compile(r"(?:[一二三四五六七八九十]是|[①-⑳])(?:实施|推进|打造|开展|加强|强化)?(?P<name>[^。：:；，,]{4,20})[。：:]")


@dataclass
class PolicyModel:
    documents: dict[str, PolicyDocument]
    clauses: list[Clause]
    regions: RegionBook
    topics: TopicBook
    lexicon: Lexicon
    measures: list[SubsidyMeasure]
    sites: list[Site]
    gazetteer: Gazetteer
    clause_texts: dict[str, str] = field(default_factory=dict)
    clause_topics: dict[str, frozenset[str]] = field(default_factory=dict)
    region_texts: dict[str, str] = field(default_factory=dict)  # region → all its clauses' text, lower case (on first use)
    # Names the texts put in quotation marks (“黄金十二条”, “微短剧贷”) → the regions whose
    # clauses use them: lets an answer correct a name attributed to the wrong region.
    named_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    own_names: dict[str, str] = field(default_factory=dict)  # a name only one region's texts use → region
    named_clauses: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name → clause ids using it
    name_form_list: list[str] = field(default_factory=list)  # name_forms(), on first use
    part_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # a part's name → (clause id, item text)
    document_names: set[str] = field(default_factory=set)  # names given in 《》
    # figures the texts state (amounts, percentages, written in digits) → (clause id, sentence)
    figures: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # terms a text defines ("（以下简称“县内企业”）", "所称“在黟拍摄”，是指") → clause ids
    defined_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # ids of rows kept out until reviewed

    @classmethod
    def load(cls, knowledge_dir: Path, documents: list[PolicyDocument], clauses: list[Clause],
             is_word: Callable[[str], bool] = lambda _: False,
             cut: Callable[[str], list[str]] | None = None) -> PolicyModel:
        lexicon = Lexicon.load(knowledge_dir / "lexicon.yaml")
        regions = RegionBook.load(knowledge_dir / "regions.yaml")
        topics = TopicBook.load(knowledge_dir / "topics.yaml")
        gazetteer = Gazetteer(regions, lexicon.profile.origin_before, lexicon.profile.origin_after, is_word, cut)
        # Rows of a superseded version stay on record with it but never answer; a drafted
        # row with a doubt (bot/policy/doubts.py) answers only once a person reviewed it.
        retired = retired_ids(knowledge_dir / "docs") - {d.id for d in documents}
        measures = [m for m in load_table(knowledge_dir, "measures", SubsidyMeasure) if m.doc_id not in retired]
        sites = [s for s in load_table(knowledge_dir, "sites", Site) if s.doc_id not in retired]
        model = cls(
            documents={d.id: d for d in documents},
            clauses=clauses,
            regions=regions,
            topics=topics,
            lexicon=lexicon,
            measures=[m for m in measures if not m.held],
            sites=[s for s in sites if not s.held],
            gazetteer=gazetteer,
            held=[r.id for r in [*measures, *sites] if r.held],
        )
        model._index()
        return model

    def _index(self) -> None:
        for clause in self.clauses:
            previous = self.clause_texts.get(clause.clause_id)
            self.clause_texts[clause.clause_id] = f"{previous}\n{clause.text}" if previous else clause.text
        for clause in self.clauses:
            found = self.topics.match(clause.context)
            self.clause_topics[clause.clause_id] = self.clause_topics.get(clause.clause_id, frozenset()) | set(found.strong)
        # Rows that cannot be shown honestly are dropped (and reported by `bot validate`).
        self.measures = [m for m in self.measures if self._row_ok(m, "measure")]
        self.sites = [s for s in self.sites if self._row_ok(s, "site")]
        for m in self.measures:  # a clause is also about what its measures are about
            self.clause_topics[m.clause_id] = self.clause_topics.get(m.clause_id, frozenset()) | set(m.topics)
        terms: dict[str, set[str]] = {}
        where: dict[str, list[str]] = {}
        for clause in self.clauses:
            for term in (next(g for g in m if g) for m in QUOTED.findall(clause.text)):
                terms.setdefault(term, set()).add(clause.region)
                where.setdefault(term, [])
                if clause.clause_id not in where[term]:
                    where[term].append(clause.clause_id)
        self.named_terms = {t: tuple(sorted(r)) for t, r in terms.items()}
        # names only one region's texts use (“剧组之家”): a question naming one and no place is
        # about that region (a filming site is a landmark of its region, regions.yaml)
        # (a quoted term of four characters or more that is not a kind of text: "实施方案" names none)
        kinds = self.lexicon.intent_patterns["doc_noun"]
        owners: dict[str, set[str]] = {t: set(r) for t, r in terms.items() if len(t) >= 4 and not kinds.search(t)}
        self.own_names = {t: next(iter(r)) for t, r in owners.items() if len(r) == 1}
        self.document_names = {t for clause in self.clauses for t in re.findall(r"《([^《》]{3,40})》", clause.text)}
        self.named_clauses = {t: tuple(ids) for t, ids in where.items()}
        self.part_names = self._part_names()
        defined: dict[str, list[str]] = {}
        for clause in self.clauses:
            for m in self.lexicon.definition.finditer(clause.text):
                defined.setdefault(next(g for g in m.groups() if g), []).append(clause.clause_id)
        self.defined_terms = {t: tuple(dict.fromkeys(ids)) for t, ids in defined.items()}

    def _part_names(self) -> dict[str, tuple[str, str]]:
        """Names of a text's parts — section headings ("IP建设、文化赋能") and list items
        ("三是实施短剧精品培优工程。") — mapped to (clause id, the item's text): a question
        that names one asks what that part says."""
        names: dict[str, tuple[str, str]] = {}
        for clause in self.clauses:
            if clause.chunk_id != clause.clause_id:
                continue
            for heading in clause.heading_path:
                name = PART_NUMBER.sub("", heading).strip(" 。：:")
                if 4 <= len(name) <= 16:
                    names.setdefault(name, (clause.clause_id, ""))
            marks = list(ITEM_MARK.finditer(clause.text))
            for i, m in enumerate(marks):
                end = marks[i + 1].start() if i + 1 < len(marks) else len(clause.text)
                names.setdefault(m.group("name"), (clause.clause_id, clause.text[m.start():end].strip()))
        return names

    def index_figures(self, figures_in: Callable[[str], tuple[str, ...]], sentences: Callable[[str], list[str]]) -> None:
        """Which clause sentences state which figure (premise checks use it)."""
        for clause in self.clauses:
            for sentence in sentences(clause.text):
                for figure in figures_in(sentence):
                    self.figures.setdefault(figure, []).append((clause.clause_id, sentence))

    def _row_ok(self, row: SubsidyMeasure | Site, kind: str) -> bool:
        problems = []
        if row.region not in self.regions.regions:
            problems.append(f"unknown region {row.region!r}")
        if row.doc_id not in self.documents:
            problems.append(f"unknown document {row.doc_id!r}")
        if row.quote not in self.clause_texts.get(row.clause_id, ""):
            problems.append(f"quote is not verbatim in {row.clause_id}")
        unknown = [t for t in row.topics if t not in self.topics.topics]
        if unknown:
            problems.append(f"unknown topics {unknown}")
        for problem in problems:
            self.problems.append(f"{kind} {row.id}: {problem}")
            log.warning("%s %s left out: %s", kind, row.id, problem)
        return not problems

    # ------------------------------------------------------------------ queries
    def measures_for(self, regions: list[str] | tuple[str, ...], topics: list[str] | tuple[str, ...] = ()) -> list[SubsidyMeasure]:
        """Measures of ``regions`` (in that order) about any of ``topics`` (all when empty)."""
        wanted = set(topics)
        order = {r: i for i, r in enumerate(regions)}
        rows = [m for m in self.measures if m.region in order and (not wanted or wanted & set(m.topics))]
        return sorted(rows, key=lambda m: order[m.region])

    def sites_for(self, regions: list[str] | tuple[str, ...], topics: list[str] | tuple[str, ...] = ()) -> list[Site]:
        wanted = set(topics)
        order = {r: i for i, r in enumerate(regions)}
        rows = [s for s in self.sites if s.region in order and (not wanted or wanted & set(s.topics))]
        return sorted(rows, key=lambda s: order[s.region])

    def regions_with(self, topics: list[str] | tuple[str, ...], exclude: list[str] | tuple[str, ...] = ()) -> list[str]:
        """Covered regions that have measures about ``topics`` (for redirects)."""
        wanted = set(topics)
        found = [m.region for m in self.measures if wanted & set(m.topics) and m.region not in exclude]
        return list(dict.fromkeys(r for r in self.regions.keys if r in found))

    def region_text(self, region: str) -> str:
        """Everything the region's own texts say (lower case): does it ever mention a word?
        Joined on first use (few questions ask it), not at start-up."""
        if region not in self.region_texts:
            self.region_texts[region] = "\n".join(c.text.lower() for c in self.clauses if c.region == region)
        return self.region_texts[region]

    def name_forms(self) -> list[str]:
        """The names the texts give, and their parts at a "·" of four characters or more
        (浙里微光 of “浙里微光·微短剧+”), longest first: what a typed name may be a slip of.
        Listed on first use."""
        if not self.name_form_list:
            parts = {p for term in self.named_terms for p in re.split(r"[·・•\s]+", term) if len(p) >= 4}
            self.name_form_list = sorted(parts | set(self.named_terms), key=len, reverse=True)
        return self.name_form_list

    def uses(self, phrase: str) -> bool:
        """Does any text use ``phrase`` (lower case) verbatim?"""
        return any(phrase.lower() in self.region_text(r) for r in {c.region for c in self.clauses})

    def documents_of(self, region: str) -> list[PolicyDocument]:
        regions = {c.region for c in self.clauses}
        if region not in regions:
            return []
        ids = list(dict.fromkeys(c.doc_id for c in self.clauses if c.region == region))
        return [self.documents[i] for i in ids]

    def offices(self, regions: list[str] | tuple[str, ...]) -> list[str]:
        """Offices the documents of ``regions`` name (衢江 影视服务窗口, 平原示范区管委会 …)."""
        names: list[str] = []
        for doc in self.documents.values():
            if not regions or doc.region_key in regions:
                names.extend(o for o in doc.offices if o not in names)
        return names

    def programme_measures(self, name: str, regions: list[str] | tuple[str, ...] = ()) -> list[SubsidyMeasure]:
        """The measures of a programme the texts name (“黄金十二条”, 《短剧三年行动计划》): those
        stated in the clauses that name it and in the clauses under them."""
        ids = self.named_clauses.get(name, ())
        labels = [(i.split(":", 1)[0], i.split(":", 1)[1]) for i in ids]
        rows = []
        for m in self.measures:
            doc, label = m.clause_id.split(":", 1)
            inside = any(doc == d and (label == lab or (label.startswith(lab) and label[len(lab)] not in "0123456789"))
                         for d, lab in labels)
            if inside and (not regions or m.region in regions):
                rows.append(m)
        if not rows and name in self.document_names:
            # a document named in the texts (《…实施方案》): its measures
            docs = {i.split(":", 1)[0] for i in ids}
            rows = [m for m in self.measures if m.doc_id in docs and (not regions or m.region in regions)]
        return rows

    def programme_sentence(self, name: str) -> tuple[str, str] | None:
        """(clause id, text) where the texts introduce a programme by its name: the clause
        the programme's measures sit under if there is one (a short lead-in whole, else the
        sentence naming it), otherwise the first sentence naming it."""
        ids = list(self.named_clauses.get(name, ()))
        under = {i: sum(m.clause_id.startswith(i) and m.clause_id != i for m in self.measures) for i in ids}
        ids.sort(key=lambda i: -under[i])
        for clause_id in ids:
            text = self.clause_texts.get(clause_id, "")
            if under[clause_id] and len(text) <= 200 and "\n" in text:
                return clause_id, text.split("\n", 1)[1].strip() or text
            for sentence in re.findall(r"[^。！？\n]*[。！？]?", text):
                if name in sentence and len(sentence) > len(name) + 6:
                    return clause_id, sentence
        return None

    def clause(self, clause_id: str) -> Clause:
        return next(c for c in self.clauses if c.clause_id == clause_id)
