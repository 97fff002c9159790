"""The policy model: regions, topics, measures, sites and the lexicon, loaded once from
``knowledge/`` and validated against the cleaned texts."""
