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


# SLA alerts, written into the thread as internal notes (operators only).
SLA_TARGET_NAMES = {"first_response": "primera respuesta", "next_response": "siguiente respuesta"}
SLA_WARNING_NOTE = "SLA: la {target} vence el {due} (quedan {minutes} min hábiles)."
SLA_BREACH_NOTE = "SLA: la {target} venció el {due} sin respuesta."
