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
