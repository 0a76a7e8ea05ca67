"""History entries as sentences, in the reader's language (es and en: the same keys and the same
{placeholders} in both, which a test holds them to). Shared by the API, which renders entries
per Accept-Language, and the mail composer, which renders them in the account's language; the
portal renders the same codes from its own catalogues.

A key is the entry's code, or `<code>.<variant>` when a parameter changes the sentence (who
closed it, how it was reopened). Parameter values that are codes themselves (a priority, a
channel) are shown by their label."""

from __future__ import annotations

from helpdesk.domain.history import EntryCode, HistoryEntry
from helpdesk.domain.models import Role

ES: dict[str, str] = {
    "closed.customer": "{actor} cerró el ticket.",
    "closed.operator": "{actor} cerró el ticket.",
    "closed.inactivity": (
        "El ticket se cerró automáticamente como resuelto porque no recibimos respuesta en {hours} horas. "
        "Si necesita más ayuda, puede reabrirlo en cualquier momento."
    ),
    "reopened": "{actor} reabrió el ticket.",
    "reopened.by_reply": "El ticket se reabrió con la respuesta de {actor}.",
    "merged_into": "{actor} unió este ticket a {ticket}: la conversación sigue allí.",
    "merged_from": "{actor} unió aquí el ticket {ticket}: sus mensajes aparecen en esta conversación.",
    "assigned": "{actor} asignó el ticket a {assignee}.",
    "assigned.self": "{actor} tomó el ticket.",
    "assigned.reply": "{actor} tomó el ticket al responder.",
    "unassigned": "{actor} dejó el ticket sin asignar.",
    "priority_changed": "{actor} cambió la prioridad de {old} a {new}.",
    "tags_changed": "{actor} cambió las etiquetas (añadidas: {added}; quitadas: {removed}).",
    "opened_on_behalf": "{actor} abrió este ticket en nombre del cliente ({channel}).",
    "sla_warning": "SLA: la {target} vence el {due} (quedan {minutes} min hábiles).",
    "sla_breached": "SLA: la {target} venció el {due} sin respuesta.",
    "auto_close_reminded": (
        "Recordatorio enviado: el ticket se cerrará como resuelto el {closes_at} si no recibimos respuesta."
    ),
    "unknown": "El ticket cambió ({code}).",
    # labels of parameter values
    "actor.system": "Netz0",
    "actor.customer": "El cliente",
    "none": "ninguna",
    "priority.low": "baja",
    "priority.normal": "normal",
    "priority.high": "alta",
    "priority.urgent": "urgente",
    "channel.phone": "por teléfono",
    "channel.chat": "por chat",
    "channel.web": "en la web",
    "channel.email": "por correo",
    "sla_target.first_response": "primera respuesta",
    "sla_target.next_response": "siguiente respuesta",
}

EN: dict[str, str] = {
    "closed.customer": "{actor} closed the ticket.",
    "closed.operator": "{actor} closed the ticket.",
    "closed.inactivity": (
        "The ticket was closed automatically as resolved because we received no answer in {hours} hours. "
        "If you need more help, you can reopen it at any time."
    ),
    "reopened": "{actor} reopened the ticket.",
    "reopened.by_reply": "The ticket was reopened by {actor}'s reply.",
    "merged_into": "{actor} merged this ticket into {ticket}: the conversation continues there.",
    "merged_from": "{actor} merged ticket {ticket} into this one: its messages appear in this conversation.",
    "assigned": "{actor} assigned the ticket to {assignee}.",
    "assigned.self": "{actor} took the ticket.",
    "assigned.reply": "{actor} took the ticket by replying.",
    "unassigned": "{actor} unassigned the ticket.",
    "priority_changed": "{actor} changed the priority from {old} to {new}.",
    "tags_changed": "{actor} changed the tags (added: {added}; removed: {removed}).",
    "opened_on_behalf": "{actor} opened this ticket on the customer's behalf ({channel}).",
    "sla_warning": "SLA: the {target} is due on {due} ({minutes} business minutes left).",
    "sla_breached": "SLA: the {target} was due on {due} and was missed.",
    "auto_close_reminded": (
        "Reminder sent: the ticket will close as resolved on {closes_at} unless we receive an answer."
    ),
    "unknown": "The ticket changed ({code}).",
    "actor.system": "Netz0",
    "actor.customer": "The customer",
    "none": "none",
    "priority.low": "low",
    "priority.normal": "normal",
    "priority.high": "high",
    "priority.urgent": "urgent",
    "channel.phone": "by phone",
    "channel.chat": "by chat",
    "channel.web": "on the web",
    "channel.email": "by e-mail",
    "sla_target.first_response": "first response",
    "sla_target.next_response": "next response",
}

CATALOGUES = {"es": ES, "en": EN}

# Which parameter picks the sentence's variant, per code.
_VARIANT_PARAM = {
    EntryCode.CLOSED.value: "reason",
    EntryCode.REOPENED.value: "by_reply",
    EntryCode.ASSIGNED.value: "how",  # self: the actor took it; reply: by replying; absent: handed over
}
# Parameters whose values are codes shown by their label (`<param>.<value>` in the catalogue).
_LABELLED = {"old": "priority", "new": "priority", "channel": "channel", "target": "sla_target"}


def sentence_key(item: HistoryEntry) -> str:
    """The catalogue key an entry is rendered with ("unknown" for a code this version lacks)."""
    variant_param = _VARIANT_PARAM.get(item.code)
    if variant_param is not None:
        value = item.params.get(variant_param)
        if item.code == EntryCode.REOPENED.value:
            key = "reopened.by_reply" if value == "yes" else "reopened"
        elif item.code == EntryCode.ASSIGNED.value and value is None:
            key = item.code
        else:
            key = f"{item.code}.{value}"
    else:
        key = item.code
    return key if key in ES else "unknown"


def render(item: HistoryEntry, language: str) -> str:
    """The entry as a sentence in `language` (es or en; Spanish for any other)."""
    catalogue = CATALOGUES.get(language, ES)
    key = sentence_key(item)
    shown: dict[str, str] = {"code": item.code}
    for name, value in item.params.items():
        label = _LABELLED.get(name)
        shown[name] = catalogue.get(f"{label}.{value}", value) if label else value
        if name in ("added", "removed") and not value:
            shown[name] = catalogue["none"]
    shown["actor"] = _actor(item, catalogue)
    try:
        return catalogue[key].format_map(_Missing(shown))
    except (ValueError, IndexError):  # a malformed stored entry: never fail the whole thread
        return catalogue["unknown"].format(code=item.code)


def _actor(item: HistoryEntry, catalogue: dict[str, str]) -> str:
    if item.actor_role is Role.SYSTEM or not item.actor:
        return catalogue["actor.system" if item.actor_role is Role.SYSTEM else "actor.customer"]
    return item.actor


class _Missing(dict[str, str]):
    """A placeholder whose parameter an old or foreign entry lacks shows as "?", not a KeyError."""

    def __missing__(self, key: str) -> str:
        return "?"
