"""What the retrieval-based composers (table, sites, clauses, named sets) share: the
knowledge they answer from, its wording, the question's term weights and a matcher."""

from __future__ import annotations

from bot.answer.evidence import Matcher, TermWeights
from bot.answer.templates import Templates
from bot.policy.book import PolicyModel


class Composer:
    def __init__(self, model: PolicyModel, templates: Templates, weights: TermWeights) -> None:
        self.model = model
        self.t = templates
        self.weights = weights
        self.match = Matcher(model.lexicon)
        self.place_words = frozenset(model.regions.name_index)  # names of places: never a content word

    def terms(self, text: str) -> dict[str, float]:
        """The content words of ``text`` with their weights, place names left out."""
        return self.weights.terms(text, self.place_words)
