"""Words people read that more than one part of the system shows: the status names (the website,
the mail catalogue) and the text the system itself writes into tickets. The portal's catalogues
repeat the status names; tests/unit/test_shared_rules.py fails when they disagree."""

from __future__ import annotations

from helpdesk.domain.status_machine import Status

STATUS_LABELS: dict[str, dict[Status, str]] = {
    "es": {Status.OPEN: "Abierto", Status.WAITING: "Espera", Status.CLOSED: "Cerrado"},
    "en": {Status.OPEN: "Open", Status.WAITING: "Waiting", Status.CLOSED: "Closed"},
}

SYSTEM_AUTHOR = "Netz0"  # the author of messages the system writes

# Written into tickets, so in the language of the desk (Spanish).
NO_SUBJECT = "(sin asunto)"
NO_TEXT = "(mensaje sin texto)"
# (The auto-close is a history entry now, rendered in the reader's language: domain.history_text.)


def status_label(status: Status, language: str = "es") -> str:
    return STATUS_LABELS.get(language, STATUS_LABELS["es"])[status]


# SLA alerts are history entries now (operators only), rendered by domain.history_text.
