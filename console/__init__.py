"""Web side of the assistant: the demo site with the chat widget, and the staff console."""
