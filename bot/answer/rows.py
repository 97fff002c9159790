"""How one measure or one site reads in an answer (shared by the composers)."""

from __future__ import annotations

from bot.answer.draft import Paragraph, Source, Span
from bot.answer.templates import Templates
from bot.policy.book import PolicyModel
from bot.policy.model import Site, SubsidyMeasure


def office_note(model: PolicyModel, t: Templates, regions: list[str] | tuple[str, ...]) -> str:
    """"具体请向…咨询。": the offices the regions' documents name, or the generic office."""
    offices = model.offices(list(regions))
    return t("ask_office", offices=t("office_joiner").join(offices)) if offices else t("ask_office_generic")


def no_figure_note(model: PolicyModel, t: Templates, texts: list[str]) -> str:
    """"原文没有写明具体金额或比例，写的是按实际发生的费用补助。": what the quoted texts
    state instead of a figure."""
    facts = model.lexicon.facts
    detail = ""
    if any(facts["actual_cost"].search(x) for x in texts):
        detail = t("no_figure_actual")
    elif any(facts["related_amount"].search(x) for x in texts):
        detail = t("no_figure_related")
    return t("no_figure", detail=detail)


def measure_source(m: SubsidyMeasure) -> Source:
    return Source(m.clause_id, m.quote)


def conditions_text(m: SubsidyMeasure) -> str:
    """The row's own conditions (a document-wide one is cited to its own clause elsewhere)."""
    return "；".join(dict.fromkeys(c.text for c in m.conditions if c.clause_id is None))


def measure_item(m: SubsidyMeasure, t: Templates, with_conditions: bool = True, prefix: str = "",
                 with_quote: bool = False) -> Paragraph:
    """"**title** — amount as stated（条件：…）" cited with the measure's quote; with
    ``with_quote`` the quote itself is shown (it states the conditions in full)."""
    text = prefix + t("row", title=m.title, money=m.money or t("unknown_amount"))
    if with_quote:
        text += t("row_quote", quote=m.quote)
    elif with_conditions and m.conditions:
        text += t("row_conditions", conditions=conditions_text(m))
    return Paragraph((Span(text, measure_source(m)),))


def site_item(site: Site, t: Templates, prefix: str = "") -> Paragraph:
    """"**name**（type · status）：capacity；description；配套：services" cited with its quote."""
    text = prefix + t("site_row", name=site.name, type=site.type, status=site.status.value)
    if site.capacity:
        text += t("site_capacity", capacity=site.capacity)
    if site.description:
        text += t("site_description", description=site.description)
    if site.services:
        text += t("site_services", services=site.services)
    return Paragraph((Span(text, Source(site.clause_id, site.quote)),))
