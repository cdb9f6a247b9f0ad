"""Custom actions of the assistant, run by the rasa_sdk action server.

`python -m actions.server` (actions/server.py) imports this package; importing the modules below
registers every action with rasa_sdk. Split by concern: FAQ answers, fallbacks, the request
intake form, tickets, handoff to staff.
"""
from actions import fallback, faq, form_validation, handoff, request_form, tickets  # noqa: F401
