"""The privacy-policy knowledge base of the 総武ガス assistant.

Every answer the assistant gives about the privacy policy comes from here:
``policy.yml`` (the whole policy as data, each piece with a stable id),
``answers.yml`` (customer-facing answers citing those ids) and
``source/privacy_policy.txt`` (the policy text they are checked against).
No Rasa imports, so the action server and plain tests can both use it.
"""

from .fact_check import unsupported_facts
from .loader import (
    Contact,
    FaqAnswer,
    KnowledgeBase,
    KnowledgeBaseError,
    Piece,
    Section,
    TextBlock,
    load_knowledge_base,
)

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
