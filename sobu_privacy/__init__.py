"""The product's vocabulary: the words every part of the assistant shares, in one place.

総武ガス's privacy assistant is several services (the Rasa server with its NLU, the action
server, the staff console, storage) that must agree on what a request type, a ticket
status, a staff role, a 受付番号 or a handoff summary is. Each of those is defined once
here and imported by the others; nothing here imports Rasa, Sanic or SQLAlchemy, so every
part (and every test) can use it without loading a server.

Modules:
    labels          LabelledEnum: enums whose members carry their Japanese label
    text            normalize_text: Japanese text as customers type it, in one normal form
    identifiers     受付番号, phone numbers, postal codes: one parser and one normaliser each
    requests        RequestType, RequesterKind, DeliveryMethod and their Japanese labels
    workflow        TicketStatus and the allowed moves between statuses
    roles           Role (staff, analyst, admin) and which roles may see what
    clock           JST and Japan-time helpers
    intents         the intents, grouped as the dialogue uses them, with Japanese names
    request_form    the request form's questions as one table
    handoff         HandoffSummary: what the action server hands to the console
    pseudonyms      keyed hashes of conversation ids, for logs and analytics
    settings        the product's settings, read once from the environment
"""
from .clock import JST
from .handoff import HandoffReason, HandoffSummary
from .labels import UnknownValue
from .requests import DeliveryMethod, RequesterKind, RequestType
from .roles import ADMIN_ROLES, ALL_ROLES, ANALYTICS_ROLES, STAFF_ROLES, Role
from .settings import Settings, load_settings
from .workflow import ALLOWED_TRANSITIONS, FINAL_STATUSES, TicketStatus

__all__ = [
    "ADMIN_ROLES",
    "ALLOWED_TRANSITIONS",
    "ALL_ROLES",
    "ANALYTICS_ROLES",
    "DeliveryMethod",
    "FINAL_STATUSES",
    "HandoffReason",
    "HandoffSummary",
    "JST",
    "RequestType",
    "RequesterKind",
    "Role",
    "STAFF_ROLES",
    "Settings",
    "TicketStatus",
    "UnknownValue",
    "load_settings",
]
