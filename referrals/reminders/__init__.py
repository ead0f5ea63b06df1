"""Reminders to clients in their language, by SMS and e-mail (issue 32): opt-ins
(services), the texts (texts), what is due and the send queue (sending), the pages (views)
and the gateway's callbacks (webhook)."""
