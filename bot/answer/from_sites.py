"""Where to film: answers from the sites table (``knowledge/sites.yaml``) — the bases,
studios and outdoor locations each region's texts describe, with type, status, capacity
and services, each cited with its verbatim quote."""

from __future__ import annotations

from bot.answer.composer import Composer
from bot.answer.draft import Bullets, Draft, DraftBuilder, Found, Paragraph, Source, Span, Verdict
from bot.answer.evidence import sentences
from bot.answer.intent import Intent
from bot.answer.rows import measure_item, office_note, site_item
from bot.policy.model import Site, SiteStatus

RELATED_MIN = 0.3  # share of the question's content words a related measure must contain


class SiteComposer(Composer):

    def kinds(self, intent: Intent) -> list[str]:
        """Site types the question asks for (古装, 现代, 景区 …), from the lexicon — read
        without place names ("长安古寨" names a site, it does not ask for 古装)."""
        text = intent.text
        for place in intent.places:
            start, end = place.span
            text = text[:start] + " " * (end - start) + text[end:]
        text = self.model.lexicon.site_any.sub(lambda m: " " * len(m.group()), text)
        return [kind for kind, rx in self.model.lexicon.site_types.items() if rx.search(text)]

    def related(self, intent: Intent, regions: list[str]) -> Bullets | None:
        """Measures of the regions that match what else the question names ("功夫题材" →
        the 功夫 creation plan): a where-to-film question often asks for both."""
        drop = self.place_words | {w for rx in self.model.lexicon.site_types.values() for w in rx.pattern.split("|")}
        terms = self.weights.terms(intent.query_text, drop)
        site_topics = {t for s in self.model.sites for t in s.topics}  # already shown as sites
        rows = []
        for m in self.model.measures_for(regions):
            text = " ".join([m.title, m.benefit.description, m.quote])
            if terms and self.match.coverage(terms, text) >= RELATED_MIN and not set(m.topics) <= site_topics:
                rows.append(m)
        if not rows:
            return None
        return Bullets(self.t("related_measures"), tuple(measure_item(m, self.t, with_quote=True) for m in rows[:4]))

    def progress(self, region: str, named: list[str]) -> Paragraph | None:
        """"汉唐商业街现在建到哪一步了？": what the texts say of a named site's progress
        (目前总形象面已有15% …), quoted beside its card."""
        pattern = self.model.lexicon.facts["progress"]
        said: list[tuple[str, str]] = []
        for c in self.model.clauses:
            if c.region != region:
                continue
            for s in sentences(c.text):
                if pattern.search(s) and any(n in s for n in named) and not any(s in t or t in s for _, t in said):
                    said.append((c.clause_id, s))
        if not said:
            return None
        return Paragraph((Span(self.t("site_progress")),
                          *(Span(s, Source(clause_id, s)) for clause_id, s in said)))

    def regions_of(self, intent: Intent, kinds: list[str]) -> list[str]:
        """The local regions asked (every one when none is). "在浙江拍现代剧": a province's
        texts may name no site of the kinds asked, the texts of places inside it do — then
        those places stand for it."""
        local = self.model.regions.local()
        regions = [r for r in intent.regions if r in local] or ([] if intent.regions else local)

        def has(key: str) -> bool:
            return any(not kinds or s.type in kinds for s in self.model.sites_for([key]))

        wider = []
        for r in regions:
            inside = [c for c in self.model.regions.children(r) if c in local]
            wider += [r] if has(r) or not any(has(c) for c in inside) else [c for c in inside if has(c)]
        return list(dict.fromkeys(wider))

    def compose(self, intent: Intent) -> Draft:
        kinds = self.kinds(intent)
        regions = self.regions_of(intent, kinds)
        kind_names = self.t.mapping("site_kinds")
        kind_text = "、".join(kind_names.get(k, k) for k in kinds)
        draft = DraftBuilder("sites", tuple(regions))
        found = False
        named = [p.name for p in intent.places if p.landmark]
        for region in regions:
            sites = [s for s in self.model.sites_for([region]) if not kinds or s.type in kinds]
            # a site the question names: its own rows only
            mine = [s for s in sites if any(n in s.name or n in s.quote for n in named)]
            sites = mine or sites
            if not sites:
                if len(regions) == 1 or intent.regions:
                    label = self.model.regions.label(region)
                    draft.find(Found.NOT_IN_TEXTS, region, self.t("not_covered_sites", region=label, kind=kind_text),
                               facet="where")
                continue
            found = True
            self.listed(draft, region, sites, kind_text)
            if mine:
                draft.add(self.progress(region, named))
        if found:
            draft.add(self.related(intent, regions))
            return draft.build(Verdict.ANSWERED)
        return self.not_found(draft, intent, regions, kinds, kind_text)

    def listed(self, draft: DraftBuilder, region: str, sites: list[Site], kind_text: str) -> None:
        """A region's sites, built before building before planned: the finding names the
        first four, the list shows each one's card."""
        label = self.model.regions.label(region)
        sites.sort(key=lambda s: list(SiteStatus).index(s.status))
        names = "、".join(self.t("site_opening_item", name=x.name, status=x.status.value) for x in sites[:4])
        draft.find(Found.STATED, region, Span(self.t("sites_opening", region=label, kind=kind_text, names=names,
                                                       count=len(sites)), Source(sites[0].clause_id, sites[0].quote)),
                   facet="where")
        draft.add(Bullets(self.t("sites_lead", region=label, kind=kind_text), tuple(site_item(s, self.t) for s in sites)))

    def not_found(self, draft: DraftBuilder, intent: Intent, regions: list[str], kinds: list[str],
                  kind_text: str) -> Draft:
        """No site of the kinds asked in the asked regions' texts: say so, list those of
        other regions (each named as theirs), and name the office to ask."""
        if not draft.findings:
            place = "、".join(self.model.regions.label(r) for r in regions) if intent.regions else self.t("all_texts")
            draft.find(Found.NOT_IN_TEXTS, "", self.t("not_covered_sites", region=place, kind=kind_text), facet="where")
        others = [s for s in self.model.sites if s.region not in regions and (not kinds or s.type in kinds)]
        if others:
            items = tuple(site_item(s, self.t, prefix=f"【{self.model.regions.label(s.region)}】") for s in others[:8])
            draft.add(Bullets(self.t("redirect_sites", kind=kind_text), items))
        draft.note(office_note(self.model, self.t, regions))
        return draft.build(Verdict.NOT_COVERED)
