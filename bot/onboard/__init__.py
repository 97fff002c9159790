"""Onboarding: adding, listing, replacing and removing policy documents in the knowledge
directory (``bot add``, ``bot docs``). Writes only under ``Settings.knowledge_dir``."""
