"""Answers that need no evidence: off-topic and manipulation requests (declined, short,
fixed), and places no text covers (said plainly, with what is covered)."""

from __future__ import annotations

from bot.answer.draft import Bullets, Draft, DraftBuilder, Found, Paragraph, Verdict
from bot.answer.intent import Intent
from bot.answer.rows import measure_item, office_note
from bot.answer.templates import Templates
from bot.policy.book import PolicyModel
from bot.policy.regions import Relation

MAX_CONTEXT_ROWS = 6


class Declines:
    def __init__(self, model: PolicyModel, templates: Templates) -> None:
        self.model = model
        self.t = templates

    def decline(self, kind: str) -> Draft:
        """Off-topic or manipulation: one fixed sentence and what the bot can answer."""
        draft = DraftBuilder(kind)
        draft.add(Paragraph.of(self.t(kind)))
        draft.note(self.t("coverage", regions=self.model.regions.covered()))
        return draft.build(Verdict.DECLINED)

    def unverified(self, intent: Intent) -> Draft:
        """A support figure the question asserts that no text states: not confirmed, not
        repeated; what the texts do cover and whom to ask."""
        draft = DraftBuilder("unverified", intent.regions)
        draft.add(Paragraph.of(self.t("unverified_claim")))
        draft.note(self.t("coverage", regions=self.model.regions.covered()))
        draft.note(office_note(self.model, self.t, intent.regions))
        return draft.build(Verdict.NOT_COVERED)

    def outside_place(self, intent: Intent) -> Draft:
        """The asker shoots in a place outside the asked region that no text covers ("我们在
        柯城区拍，衢江的政策能用吗"): the region's measures apply in the region only — said
        first — then the asked region's measures on the topic, quoted with the conditions
        that say where, and what is covered."""
        region = intent.regions[0]
        label = self.model.regions.label(region)
        places = "、".join(intent.outside)
        draft = DraftBuilder("outside_place", (region,))
        draft.find(Found.NOT_IN_TEXTS, places, self.t("outside_place", place=places, region=label))
        rows = self.model.measures_for([region], intent.topics or intent.weak_topics)[:MAX_CONTEXT_ROWS]
        if rows:
            draft.add(Bullets(self.t("outside_rows", region=label),
                              tuple(measure_item(m, self.t, with_quote=True) for m in rows)))
        draft.note(self.t("coverage", regions=self.model.regions.covered()))
        draft.note(office_note(self.model, self.t, [region]))
        return draft.build(Verdict.NOT_COVERED)

    def uncovered_place(self, intent: Intent) -> Draft:
        """Places no text covers. A place inside a covered province gets the province's
        measures on the asked topic as context — named as the province's, not the place's."""
        draft = DraftBuilder("uncovered_place")
        inside = [p for p in intent.places if p.relation is Relation.INSIDE_PROVINCE and not p.origin]
        others = [p.name for p in intent.places if p.relation is Relation.UNCOVERED and not p.origin]
        if others:
            draft.add(Paragraph.of(self.t("not_covered_place", place="、".join(dict.fromkeys(others)))))
        for place in inside[:1]:
            parent = place.regions[0]
            label = self.model.regions.label(parent)
            draft.add(Paragraph.of(self.t("not_covered_place_province", place=place.name, parent=label)))
            rows = self.model.measures_for([parent], intent.topics)[:MAX_CONTEXT_ROWS]
            if rows:
                draft.add(Bullets(None, tuple(measure_item(m, self.t, with_conditions=False) for m in rows)))
        draft.note(self.t("coverage", regions=self.model.regions.covered()))
        draft.note(self.t("ask_office_generic"))
        return draft.build(Verdict.NOT_COVERED)
