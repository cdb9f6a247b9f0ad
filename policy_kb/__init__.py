"""The privacy-policy knowledge base of the 総武ガス assistant.

Every answer the assistant gives about the privacy policy comes from here:
``policy.yml`` (the whole policy as data, each piece with a stable id),
``answers.yml`` (customer-facing answers citing those ids) and
``source/privacy_policy.txt`` (the policy text they are checked against).
No Rasa imports, so the action server and plain tests can both use it. Modules: ``model``
(the dataclasses), ``build`` (loading and validating the YAML), ``knowledge_base`` (the
queries), ``source_audit`` (the check against the source text), ``fact_check``,
``versioning`` (which policy text the answers were checked against).
"""

from .build import load_knowledge_base
from .fact_check import unsupported_facts
from .knowledge_base import KnowledgeBase
from .model import Contact, FaqAnswer, KnowledgeBaseError, Piece, Section, TextBlock

__all__ = [
    "Contact",
    "FaqAnswer",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Piece",
    "Section",
    "TextBlock",
    "load_knowledge_base",
    "unsupported_facts",
]
