"""Draft the policy table rows of a new document: support measures and filming sites,
by rules over the clause text and the lexicon's ``onboarding`` words.

Every drafted row is ``reviewed: false`` and honest by construction:

* its ``quote`` is a verbatim span of its clause, and every field is a verbatim part of
  that quote (amount, ratio, cap, conditions), so every figure of a row is in its quote;
* amounts are as stated (``单部作品最高不超过50万元``, ``按制作成本的20%``), or 按实际发生 /
  一事一议 / 未明确 when the text sets no figure — never computed;
* one row per distinct support: each ``；``-separated tier of a clause (国家级 20万 and
  省级 10万 are two rows), a free service and a cash award in one clause are two rows;
* conditions get a type where the words fit one, else ``free_text`` (shown as 需确认).

What a person should check is listed in :attr:`Drafted.review`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.ingest.detect import OnboardingWords
from bot.models import Clause
from bot.policy.model import Benefit, Condition, Site, SiteStatus, SubsidyMeasure
from bot.policy.topics import TopicBook

CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九", 0)} | {"十": "10"}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
LEADING_MARKER = re.compile(r"^(第[一二三四五六七八九十百]+条|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|"
                            r"\d{1,2}[.．、](?!\d)\s*|（\d{1,2}）|[①-⑳]|[一二三四五六七八九十]是)")
# condition types a document's 申报条件 may set for all its measures (a stated fact decides them)
SHARED_TYPES = ("registered_in_region", "shoot_share_min", "new_company", "capital_min", "social_insurance_months",
                "quantity_min")
# a card's decoration before its name or a describing line: emoji, symbols, a numbered badge
CARD_BADGE = re.compile(r"^[^\u4e00-\u9fffA-Za-z]*(?:\d{1,2}(?![\d万亿%])[^\u4e00-\u9fffA-Za-z]*)?")
CARD_PLACE = re.compile(r"^(?:位于|地址|地点|坐落)")  # a card's first line says where the place is
# a table row as bot/ingest/tables.py writes it: "名称：西夏古街，类型：古装，…" (header, first cell),
# and each of its cells (header, value)
ROW_CELL = re.compile(r"([^：:，,。]{1,8})[：:]([^，,。]+)")
TABLE_ROW = re.compile(r"^([^：:，,。]{1,8})[：:]([^：:，,。]{2,30})，[^：:，,。]{1,8}[：:]")
# a list item's marker (1. / ① / 一是 / （1）), not a section's (一、 / （一）)
LIST_ITEM_MARK = re.compile(r"^(?:\d{1,2}[.．、](?!\d)|[①-⑳]|[一二三四五六七八九十]是|（\d{1,2}）)")
TYPED_VALUE = ("shoot_share_min", "capital_min", "social_insurance_months")
# Conditions that set a tier apart ("入选国家级…的" vs "入选省级…的"): a later tier of the
# same clause does not inherit them from the clause's subject.
TIER_TYPES = ("script_selected_by", "evaluated_by_panel", "views_threshold", "park_recognised", "free_text")


@dataclass
class Drafted:
    measures: list[SubsidyMeasure] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    review: list[str] = field(default_factory=list)  # what a person should check, one line each


@dataclass
class _Segment:
    """A ``；``-separated part of a sentence: the unit one measure row comes from."""

    text: str
    start: int  # offset in the clause text
    end: int
    sentence_start: int
    fragments: list[str]


def _figure(value: float) -> str:
    """A minimum as the text writes it: 7.0 → "7", 0.5 → "0.5"."""
    return f"{value:g}"


def clause_texts(clauses: list[Clause]) -> dict[str, str]:
    """Clause id → its whole text (parts of a long clause joined as the policy model does)."""
    texts: dict[str, str] = {}
    for c in clauses:
        texts[c.clause_id] = f"{texts[c.clause_id]}\n{c.text}" if c.clause_id in texts else c.text
    return texts


def draft(doc_id: str, clauses: list[Clause], topics: TopicBook, words: OnboardingWords,
          row_prefix: str | None = None) -> Drafted:
    """Drafted measures and sites of one document's clauses (``reviewed: false``)."""
    drafter = _Drafter(topics, words, row_prefix or doc_id)
    texts = clause_texts(clauses)
    first = {}
    for c in clauses:
        first.setdefault(c.clause_id, c)
    out = Drafted()
    intro_path: list[str] | None = None  # a clause ending "…拍摄场地包括：": its items, split off as clauses, are sites
    for clause_id, clause in first.items():
        text = texts[clause_id]
        background = bool(words.background_sections.search(" ".join(clause.heading_path)))
        sites = drafter.sites(clause, text, introduced=intro_path is not None and clause.heading_path[:-1] == intro_path)
        last = next((line.strip() for line in reversed(text.split("\n")) if line.strip()), "")
        if drafter.introduces_sites(last):
            intro_path = clause.heading_path
        elif intro_path is None or clause.heading_path[:-1] != intro_path:
            intro_path = None
        out.sites += sites
        # a line of a site list states no measure ("某某取景点：…，不纳入免费开放范围")
        rest = "\n".join(line for line in text.split("\n") if not any(s.quote and s.quote in line for s in sites))
        if rest.strip() and not background:  # (an 附件's list of places is sites, never a measure)
            out.measures += drafter.measures(clause, rest)
    shared = drafter.document_conditions(list(first.values()), texts)
    if shared:
        out.measures = [m.model_copy(update={"conditions": [*m.conditions, *(
            c for c in shared if not any(o.type == c.type for o in m.conditions))]}) for m in out.measures]
    out.review = drafter.review
    return out


class _Drafter:
    def __init__(self, topics: TopicBook, words: OnboardingWords, prefix: str) -> None:
        self.topics = topics
        self.w = words
        self.prefix = prefix
        self.review: list[str] = []
        self._ids: set[str] = set()
        self._tier_ids: set[str] = set()  # rows already titled by their tier

    # ------------------------------------------------------------------ measures
    def measures(self, clause: Clause, text: str) -> list[SubsidyMeasure]:
        heading = _heading(clause)
        body_start = _body_start(text, heading)
        if heading and text[:body_start].rstrip().endswith(("？", "?")):
            heading = self.w.statement(heading + "？")  # a 问答 heading: named by what it answers
        all_segments = [s for s in _segments(text, body_start)
                        if not self.w.preamble.search(text[s.sentence_start:].lstrip())]
        segments = [s for s in all_segments if self._grants(s) and not self._requires(s)]
        # "；同一企业年度累计最高不超过200万元": a ceiling on the tier before it, not a new measure
        ceilings = {id(s): s for s in all_segments if not self._grants(s) and self.w.cap.search(s.text)}
        rows: list[SubsidyMeasure] = []
        subject: list[str] = []  # the clause's "对…的" subject, inherited by later tiers
        quote_start: int | None = None
        for seg in segments:
            # the part that grants: money, a service, a waived fee … before a mere supportive
            # action ("鼓励社会资本投资…，对…的，按…给予补助": the conditions sit in between)
            # "拍摄补贴方面，对…的，按…给予补贴": a lead label names the topic, it grants nothing
            labelled = 1 if seg.fragments and self.w.lead_label.search(seg.fragments[0]) and len(seg.fragments) > 1 else 0
            grant_at = next((i for i, f in enumerate(seg.fragments) if i >= labelled and self._is_grant(f, actions=False)),
                            next((i for i, f in enumerate(seg.fragments) if i >= labelled and self._is_grant(f)),
                                 labelled))
            if labelled and not heading:
                heading = self.w.lead_label.sub("", seg.fragments[0]).strip() or heading
            own = [f for f in seg.fragments[labelled:grant_at] if f]
            if not subject:
                subject = [f for f in own if f.startswith(("对", "凡"))]
            if self._announces(seg, segments):
                continue  # "按下表给予奖励：" then the table's rows: the rows are the measures
            quote_start = seg.sentence_start if quote_start is None else quote_start
            start = quote_start
            line_start = text.rfind("\n", 0, seg.start) + 1
            start = max(start, line_start)  # never quote across a part boundary
            quote = text[start:seg.end].strip().rstrip("；;，,")
            inherited = [c for c in self._conditions(clause, [f for f in subject if f not in own and f in quote])
                         if c.type not in TIER_TYPES]
            row = self._row(clause, heading, seg, grant_at, own, inherited, quote)
            rows += self._tiers(row, seg, own, heading)
        rows = [self._with_ceiling(r, text, all_segments, ceilings) for r in rows]
        rows = self._with_requirements(clause, rows, text, all_segments)
        if len(rows) > 1:
            rows = [r if r.id in self._tier_ids else self._distinguish(r, heading, i) for i, r in enumerate(rows)]
        return rows

    def _tiers(self, row: SubsidyMeasure, seg: _Segment, own: list[str], heading: str) -> list[SubsidyMeasure]:
        """"对国家级、省级…，分别给予20万元、10万元": one row per tier, each with its own
        figure as stated; the row stays whole when the tiers cannot be told apart."""
        w = self.w
        if "分别" not in seg.text or row.benefit.kind != "cash":
            return [row]
        figures = [m.group(0) for m in w.money.finditer(row.benefit.amount)]
        if len(figures) < 2:
            return [row]
        labels = next((x for x in (_tier_labels(f, len(figures)) for f in reversed(own)) if x), None)
        if labels is None:
            return [row]
        rows = []
        self._ids.discard(row.id)
        for label, figure in zip(labels, figures, strict=True):
            title = f"{heading or row.title}（{label}）"
            rows.append(row.model_copy(update={
                "id": self._id_like(row.id), "title": title,
                "benefit": row.benefit.model_copy(update={"amount": figure})}))
            self._tier_ids.add(rows[-1].id)
        return rows

    def _id_like(self, taken: str) -> str:
        base, n = taken.rsplit("-", 1)[0], 1
        while f"{base}-{n}" in self._ids:
            n += 1
        self._ids.add(f"{base}-{n}")
        return f"{base}-{n}"

    def _with_ceiling(self, row: SubsidyMeasure, text: str, segments: list[_Segment],
                      ceilings: dict[int, _Segment]) -> SubsidyMeasure:
        """A ceiling stated right after the row's own part of the same sentence joins its cap."""
        end = text.find(row.quote) + len(row.quote)
        following = next((s for s in segments if s.start >= end and text[end:s.start].strip() in ("；", ";", "")), None)
        if following is None or id(following) not in ceilings or following.sentence_start != \
                next((s.sentence_start for s in segments if s.start < end <= s.end + 1), None):
            return row
        extra = following.text.strip().rstrip("；;。，,")
        quote = text[text.find(row.quote):following.end].strip().rstrip("；;，,")
        cap = "；".join(x for x in (row.benefit.cap, extra) if x)
        update = {"cap": cap} | ({"amount": cap} if row.benefit.amount == row.benefit.cap else {})
        return row.model_copy(update={"quote": quote, "benefit": row.benefit.model_copy(update=update)})

    def _with_requirements(self, clause: Clause, rows: list[SubsidyMeasure], text: str,
                           segments: list[_Segment]) -> list[SubsidyMeasure]:
        """"…给予补贴，单部最高40万元。申请该项补贴的作品须已完成备案，并在开机前报备": a
        sentence that grants nothing and states what an applicant must do, right after the
        last row of a sentence, holds conditions of that row (shown as 需确认)."""
        if not rows:
            return rows
        last = rows[-1]
        at = text.find(last.quote)
        if at < 0:
            return rows
        end = at + len(last.quote)
        following = [s for s in segments if s.start >= end]
        if not following or not self._requires(following[0]):
            return rows
        sentence = [s for s in following if s.sentence_start == following[0].sentence_start]
        tail = text[end:sentence[-1].end]
        if text[end:following[0].start].strip("。；; \n"):
            return rows
        fragments = [f for s in sentence for f in s.fragments]
        typed = self._conditions(clause, fragments)
        # every part of such a sentence is a requirement: what no type reads is free text
        typed += [Condition(type="free_text", text=f) for f in fragments if not any(c.text == f for c in typed)]
        extra = [c for c in typed if not any((c.type, c.text) == (x.type, x.text) for x in last.conditions)]
        quote = (last.quote + tail).strip().rstrip("；;，,")
        rows[-1] = last.model_copy(update={"quote": quote, "conditions": [*last.conditions, *extra]})
        return rows

    def document_conditions(self, clauses: list[Clause], texts: dict[str, str]) -> list[Condition]:
        """Conditions a document sets for every measure in its 申报条件 / 支持对象 section
        ("申报作品的出品单位中至少有1家为在常德市注册的企业"): the typed ones (a stated fact
        can decide them), each kept with the clause it is from."""
        found: list[Condition] = []
        for clause in clauses:
            if not self.w.application_sections.search(" ".join(clause.heading_path)) \
                    or self.w.scope_exception.search(texts[clause.clause_id]):
                continue  # "本措施第四条…同时适用于县外企业": who must meet it depends on the measure
            fragments = [LEADING_MARKER.sub("", f).strip() for s in _segments(texts[clause.clause_id], 0)
                         for f in s.fragments]
            for c in self._conditions(clause, fragments):
                if c.type in SHARED_TYPES and not any((o.type, o.quantity) == (c.type, c.quantity) for o in found):
                    found.append(c.model_copy(update={"clause_id": clause.clause_id}))
        return found

    def _announces(self, seg: _Segment, segments: list[_Segment]) -> bool:
        """A part that ends in "：" with no figure of its own, followed by parts that grant
        with figures (a table's or a list's rows)."""
        if not seg.text.rstrip().endswith(("：", ":")) or self._figured(seg.text):
            return False
        return any(s.start > seg.start and self._figured(s.text) for s in segments)

    def _requires(self, seg: _Segment) -> bool:
        """A part that says what an applicant must do and states no figure of support."""
        return bool(self.w.requirement.search(seg.text.strip())) and not self._figured(seg.text)

    def _figured(self, text: str) -> bool:
        """Does ``text`` state a sum or a share?"""
        return bool(self.w.figure(text))

    def _grants(self, seg: _Segment) -> bool:
        """Does the segment grant something? ("按最高档次奖励，不重复享受" only sets a rule.)"""
        w = self.w
        if not any(self._is_grant(f) for f in seg.fragments):
            return False
        stated = self._figured(seg.text) or w.free.search(seg.text) or w.service.search(seg.text) or \
            w.case_by_case in seg.text
        return bool(stated) or not any(w.no_grant.search(f) for f in seg.fragments)

    def _is_grant(self, fragment: str, actions: bool = True) -> bool:
        w = self.w
        if w.no_grant.search(fragment):
            return False
        if w.grant.search(fragment) or w.service.search(fragment) or w.case_by_case in fragment:
            return True
        return actions and bool(w.action.search(fragment) or w.fund.search(fragment))

    def _row(self, clause: Clause, heading: str, seg: _Segment, grant_at: int, own: list[str],
             inherited: list[Condition], quote: str) -> SubsidyMeasure:
        w = self.w
        after = seg.fragments[grant_at:]
        # a share may be stated before the grant ("按照不超过制作成本30%的标准，给予最高100万元奖励")
        ratio = next((m.group(0) for f in seg.fragments for m in [w.ratio.search(f)] if m), None)
        cap = next((f for f in after if w.cap.search(f)), None)
        money = next((f for f in after if w.money.search(f) and self._is_grant(f)), None) or \
            next((f for f in after if w.money.search(f)), None)
        duration = next((m.group(0) for f in seg.fragments for m in [w.duration.search(f)] if m), None)
        payment = "；".join(x for x in ((w.one_off if w.one_off in seg.text else None), duration) if x) or None
        free = next((m.group(0) for f in after for m in [w.free.search(f)] if m), None)
        review_notes: list[str] = []
        if ratio:
            kind = "bonus" if re.match(r"上浮|额外|增加", ratio) else "cost_ratio"
            if cap:
                amount = cap
            elif w.actual_cost in seg.text:
                amount = "按实际发生"
            else:
                amount = "未明确"
        elif money:
            kind, amount = "cash", money
            if cap == money:
                cap = None
        elif w.case_by_case in seg.text:
            kind, amount = "policy", w.case_by_case
        elif w.fund.search(seg.text):
            kind, amount = "fund", "未明确"
        elif free:
            # "免费提供…服务" is a service; a waived or reduced fee (免收…, 六折收取) is in kind, as stated
            kind, amount = ("service", "免费") if free.startswith("免费") else ("in_kind", free)
        elif w.service.search(seg.text):
            kind, amount = "service", "未明确"
        else:
            kind = "cash"
            amount = "按实际发生" if w.actual_cost in seg.text else "未明确"
            review_notes.append("原文未写明金额（未明确）")
        if amount == "未明确" and not ratio and kind == "cash":
            pass
        conditions = inherited + [c for c in self._conditions(clause, own)
                                  if not any((c.type, c.text) == (i.type, i.text) for i in inherited)]
        title = heading or _short(after[0] if after else seg.text)
        description = seg.text.strip().rstrip("；;，,。")
        keys = self._topics(clause, heading, description, "，".join(after))
        if not keys:
            keys = ["服务窗口"] if kind == "service" else ["取景拍摄"]
            review_notes.append(f"未识别出话题，暂定为{keys[0]}")
        row = SubsidyMeasure(
            id=self._id(clause),
            region=clause.region,
            doc_id=clause.doc_id,
            clause_id=clause.clause_id,
            topics=[k for k in keys if k in self.topics.topics] or keys[:1],
            title=title,
            benefit=Benefit(kind=kind, amount=amount, cap=cap, ratio=ratio, payment=payment,
                            description=description),
            conditions=conditions,
            quote=quote,
            reviewed=False,
        )
        free_text = [c.text for c in conditions if c.type == "free_text"]
        if free_text:
            review_notes.append("条件需确认：" + "；".join(free_text))
        if review_notes:
            self.review.append(f"measure {row.id}（{clause.clause_id}）：" + "；".join(review_notes))
        return row

    def _topics(self, clause: Clause, heading: str, description: str, grant: str = "") -> list[str]:
        """The heading's topics (else the measure's own words'), plus what the granting part
        itself names ("影棚租金前3个月全免" under "场景支持": 租金 too), plus the section's
        topic when the section heading names exactly one ("四、支持取景拍摄")."""
        match = self.topics.match
        keys = list(match(heading).strong) if heading else []
        if not keys:
            keys = list(match(description).strong)
        keys += [k for k in match(grant).strong if k not in keys] if grant else []
        sections = [h for h in clause.heading_path[:-1] if h]
        for section in reversed(sections):
            named = match(section).strong
            if len(named) == 1 and named[0] not in keys:
                keys.append(named[0])
                break
        if not keys:
            keys = list(match(clause.context).strong) or list(match(description).weak)
        return keys

    def _conditions(self, clause: Clause, fragments: list[str]) -> list[Condition]:
        w = self.w
        out: list[Condition] = []
        for fragment in dict.fromkeys(fragments):
            typed = False
            read: list[tuple[int, int]] = []  # the spans typed conditions read
            for kind, pattern in w.conditions.items():
                m = pattern.search(fragment)
                if not m:
                    continue
                read.append(m.span())
                value: object = None
                if kind in TYPED_VALUE:
                    number = next((g for g in m.groups() if g), None)
                    if number is None:
                        continue
                    # (a share in words stays as written, "三分之二": a row repeats only the text's figures)
                    value = number if "分之" in number else \
                        int(number) if kind != "capital_min" else re.sub(r"\s+", "", number)
                if kind == "script_selected_by":
                    levels = [lv for lv, rx in w.levels.items() if rx.search(fragment)]
                    if not w.script_words.search(clause.text) or not levels:
                        kind, value = "evaluated_by_panel", None
                    else:
                        value = levels
                if kind == "graduate":
                    value = "高校"
                if kind == "park_recognised":
                    value = next((lv for lv, rx in w.levels.items() if rx.search(fragment)), None)
                if any(c.type == kind and c.text == fragment for c in out):
                    continue
                out.append(Condition(type=kind, value=value, text=fragment))
                typed = True
            for quantity in w.quantities.values():
                found = quantity.minimum(fragment)
                if found is None:
                    continue
                minimum, m = found
                read.append(m.span())
                out.append(Condition(type="quantity_min", value=_figure(minimum), quantity=quantity.kind,
                                     text=fragment))
                typed = True
            unread = typed and any(not any(a <= t.start() and t.end() <= b for a, b in read)
                                   for t in w.threshold.finditer(fragment))
            if (not typed and _is_condition(fragment)) or unread:
                out.append(Condition(type="free_text", text=fragment))
        return out

    def _distinguish(self, row: SubsidyMeasure, heading: str, index: int) -> SubsidyMeasure:
        """Rows of one clause get distinct titles: the heading plus what sets the row apart."""
        own = [c.text for c in row.conditions if c.text in row.benefit.description]
        mark = own[-1] if own else row.benefit.amount
        if not own and mark in ("未明确", "按实际发生"):  # no figure: what it grants ("每人每次最长免费入住30天")
            parts = [p for p in re.split(r"[，,；;。]", row.benefit.description) if p.strip()]
            mark = next((p for p in reversed(parts) if self._is_grant(p)), parts[-1] if parts else mark)
        levels = [m.group(0) for rx in self.w.levels.values() for m in [rx.search(mark)] if m]  # the text's words
        mark = "、".join(levels) if levels else re.sub(r"^(对|凡)|的$", "", mark)
        title = f"{heading or row.title}（{_short(mark, 22)}）"
        return row.model_copy(update={"title": title})

    def _id(self, clause: Clause) -> str:
        base = f"{self.prefix}-{_label_slug(clause.label)}"
        n = 1
        while f"{base}-{n}" in self._ids:
            n += 1
        self._ids.add(f"{base}-{n}")
        return f"{base}-{n}"

    # --------------------------------------------------------------------- sites
    def introduces_sites(self, line: str) -> bool:
        """"本项所称园区拍摄场地包括：" / "…的场景有6处：": a line that announces a list of places."""
        return bool(self.w.site.search(line)) and line.endswith(("：", ":"))

    def sites(self, clause: Clause, text: str, introduced: bool = False) -> list[Site]:
        """``introduced``: the clause is an item of a list of places a clause before announced."""
        w = self.w
        rows = []
        # items listed under a heading that names filming places ("三、园区摄影棚及外景地")
        # are sites whatever each is called ("一号摄影棚：…", "西夏古街：…")
        listed = bool(w.site.search(" ".join(clause.heading_path[:-1] if clause.heading_path else [])))
        announced = listed or bool(w.site.search(text.split("\n")[0]))  # the clause's own heading too
        for line in text.split("\n"):
            line = line.strip()
            if not line:
                continue
            marker = LEADING_MARKER.match(line)
            row = TABLE_ROW.match(line)
            # a table's row ("序号：1，名称：西夏古街，类型：古装，状态：已建成。"): the cell under a
            # name column names the place
            cells = ROW_CELL.findall(line) if row or line.count("：") >= 2 else []
            named = next((v.strip() for k, v in cells if w.site_header.fullmatch(k.strip())), None) if len(cells) >= 2 else None
            named_row = named is not None
            # after "…拍摄场地包括：" / "…场景有6处：", the items are sites whatever each is called,
            # also a list whose bullets were not kept
            unmarked = (re.split(r"([：:])", line, maxsplit=1) + ["", ""])[:2] if introduced and not marker else None
            if named_row or row and announced and w.site.search(line):
                # a table of filming places: "名称：西夏古街，类型：古装，状态：已建成。"
                body, name, delimiter = line, named or row.group(2).strip(), "，"
            elif marker:
                body = line[marker.end():].strip()
                name, delimiter = (re.split(r"([，,；;。：:])", body, maxsplit=1) + ["", ""])[:2]
            elif unmarked and unmarked[1] and len(unmarked[0]) <= 30:
                # a list whose bullets were not kept (a web page's <ul>): "某某取景点：位于…"
                body, (name, delimiter) = line, unmarked
            else:
                introduced = self.introduces_sites(line)
                continue
            name = re.sub(r"（[^）]*）$", "", name).strip()
            # a list item may be the name alone ("2. 某某影视基地"); a section's heading is not a site
            bare_item = not delimiter and LIST_ITEM_MARK.match(line) is not None
            if not (w.site.search(name) or listed or named_row or introduced) or len(name) > 30 \
                    or not (bare_item or delimiter in "，,：:" and delimiter):
                continue  # "（一）重点拍摄基地（场景）。我县…" is a heading, not a site
            rows.append(self._site(clause, name, body, body.rstrip("；;。，, ")))
        return rows or self._cards(clause, text)

    def _site(self, clause: Clause, name: str, body: str, quote: str) -> Site:
        """A drafted site: its state and kind as ``body`` says them, its size as ``quote`` (the
        verbatim words it is shown with) does."""
        w = self.w
        status = next((SiteStatus(k) for k, rx in w.site_status.items() if rx.search(body)), SiteStatus.UNKNOWN)
        capacity = "，".join(dict.fromkeys(m.group(0) for m in w.site_capacity.finditer(quote))) or None
        site = Site(id=self._id(clause).replace(self.prefix, f"{self.prefix}-site", 1), name=name,
                    region=clause.region, doc_id=clause.doc_id, clause_id=clause.clause_id, type=self._site_type(body),
                    status=status, capacity=capacity, description=quote, quote=quote,
                    topics=["拍摄基地"] if "拍摄基地" in self.topics.topics else list(self.topics.topics)[:1],
                    reviewed=False)
        if status is SiteStatus.UNKNOWN:
            self.review.append(f"site {site.id}（{clause.clause_id}）：原文未写明建设状态（未说明）")
        return site

    def _cards(self, clause: Clause, text: str) -> list[Site]:
        """Places shown as cards after a line that announces them ("首批重点拍摄场景（6处）"):
        a short name on a line of its own (an emoji or a badge before it), then lines that
        describe it ("📌位于…", "✅状态：已开放"). Quoted by its first describing line."""
        lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
        start = next((i for i, ln in enumerate(lines) if len(ln) <= 40 and self.w.site.search(ln)), None)
        if start is None:
            return []
        cards: list[tuple[str, list[str]]] = []
        for line in lines[start + 1:]:
            name = CARD_BADGE.sub("", line)
            if 2 <= len(name) <= 16 and not re.search(r"[，。；：:,;、（）()]", name):
                cards.append((name, []))
            elif cards:
                cards[-1][1].append(line)
        sites = [self._site(clause, name, "\n".join(body), body[0].rstrip("；;。，, "))
                 for name, body in cards if body and CARD_PLACE.search(CARD_BADGE.sub("", body[0]))]
        return sites if len(sites) >= 2 else []

    def _site_type(self, body: str) -> str:
        for name, pattern in self.w.site_types.items():
            if pattern.search(body):
                return name
        return "综合"


# ------------------------------------------------------------------------ helpers
def _heading(clause: Clause) -> str:
    """The clause's own short heading (``（一）新设企业落户奖励`` → 新设企业落户奖励), or ""."""
    own = clause.heading_path[-1] if clause.heading_path else ""
    own = LEADING_MARKER.sub("", own).strip()
    if not own or len(own) > 24 or not clause.text.lstrip().startswith(tuple(clause.heading_path[-1:])):
        return ""
    return own.rstrip("。：:")


def _body_start(text: str, heading: str) -> int:
    """Where the clause's own words begin (after its marker and heading sentence)."""
    m = LEADING_MARKER.match(text)
    start = m.end() if m else 0
    if heading and text[start:].lstrip().startswith(heading):
        start = text.index(heading, start) + len(heading)
        if start < len(text) and text[start] in "。：:？?":
            start += 1
    return start


def _segments(text: str, start: int) -> list[_Segment]:
    out = []
    sentence_start = start
    for m in re.finditer(r"[^。！？\n]+[。！？]?", text[start:]):
        s_start = start + m.start()
        sentence_start = s_start
        sentence = m.group(0)
        offset = 0
        for part in re.split(r"(?<=[；;])", sentence):
            if not part.strip():
                offset += len(part)
                continue
            seg_start = s_start + offset
            seg_end = seg_start + len(part)
            fragments = [f.strip() for f in re.split(r"[，,；;。！？]", part) if f.strip()]
            out.append(_Segment(part, seg_start, seg_end, sentence_start, fragments))
            offset += len(part)
    return out


CN_NUMERALS = "一二三四五六七八九十"


def _tier_labels(fragment: str, n: int) -> list[str] | None:
    """The n tiers a "、"-list names ("国家级、省级文化产业园区" → 国家级, 省级; "获评一、二、
    三等奖的剧本" → 一等奖, 二等奖, 三等奖; "达到1亿次、5亿次、10亿次" → 1亿次 …)."""
    parts = fragment.split("、")
    if len(parts) != n:
        return None
    first = re.split(r"的|对|获评|达到|突破|首次|超过|入选", parts[0])[-1].strip()
    if not first:
        return None
    labels = [first]
    if len(first) == 1 and first in CN_NUMERALS:
        tail = parts[-1]
        end = tail.find("奖")
        if end < 1:
            return None
        suffix = tail[1:end + 1]
        return [p.strip()[-1:] + suffix if i < n - 1 else tail[:end + 1] for i, p in enumerate(parts)]
    for part in parts[1:]:
        end = part.find(first[-1])
        if end < 0:
            return None
        labels.append(part[:end + 1].strip())
    return labels if all(labels) and len(set(labels)) == n else None


def _is_condition(fragment: str) -> bool:
    """A fragment before the grant that limits who qualifies (…的, 对…, 须…, 需…)."""
    return bool(re.search(r"的$|^对|^凡|^须|^需|^符合|且|以上|不低于|不少于|满\d", fragment)) and len(fragment) >= 4


def _short(text: str, limit: int = 24) -> str:
    text = text.strip().rstrip("；;，,。")
    return text if len(text) <= limit else text[:limit] + "…"


def _label_slug(label: str) -> str:
    out = []
    for ch in label.replace("附件", "fj"):
        if ch in CN_DIGITS:
            out.append(CN_DIGITS[ch])
        elif ch in CIRCLED:
            out.append(str(CIRCLED.index(ch) + 1))
        elif ch.isascii() and ch.isalnum():
            out.append(ch.lower())
        elif ch == "段":
            out.append("-p")
        else:
            out.append("-")
    slug = re.sub(r"-+", "-", "".join(out)).strip("-")
    return slug or "x"
