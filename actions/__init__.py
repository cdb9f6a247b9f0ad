"""Custom actions of the assistant, run by the rasa_sdk action server.

`rasa run actions --actions actions` imports this package; importing the modules below
registers every action with rasa_sdk. Split by concern: FAQ answers, fallbacks, the request
intake form, tickets, handoff to staff.
"""
from actions import fallback, faq, form_validation, handoff, request_form, tickets  # noqa: F401
