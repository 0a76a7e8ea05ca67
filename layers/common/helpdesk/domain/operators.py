"""Operators as people: who they are (the identity provider's `operators` group: id = the `sub`,
e-mail, display name) and what they chose (the departments they work, the staff mails they want,
the language of those mails). The directory itself is helpdesk.services.operators."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The languages staff mail is written in (the mail catalogues' languages).
OPERATOR_LANGUAGES = ("es", "en")
DEFAULT_OPERATOR_LANGUAGE = "es"


class StaffNotice(StrEnum):
    """The staff mails an operator can choose to receive."""

    NEW_TICKET = "new_ticket"  # a ticket opened to a department they work
    CUSTOMER_REPLY = "customer_reply"  # on a ticket assigned to them (or unassigned, in their department)
    ASSIGNED = "assigned"  # someone else handed them a ticket
    NOTE = "note"  # a colleague's internal note on a ticket assigned to them
    SLA_ALERT = "sla_alert"  # a response target of their ticket falls due soon or was missed


ALL_NOTICES = frozenset(StaffNotice)


@dataclass(frozen=True)
class DirectoryMember:
    """A member of the operators group, as the identity provider knows them."""

    id: str  # the user's `sub`: stable, never reused; what tickets store as the assignee
    email: str
    name: str  # the `name` attribute, else the e-mail


@dataclass(frozen=True)
class OperatorPreferences:
    """What an operator chose. `departments` None: not chosen yet, i.e. every department."""

    departments: tuple[str, ...] | None = None
    notices: frozenset[StaffNotice] = ALL_NOTICES
    language: str = DEFAULT_OPERATOR_LANGUAGE


@dataclass(frozen=True)
class Operator:
    id: str
    email: str
    name: str
    departments: tuple[str, ...]  # the departments worked (every department until chosen)
    notices: frozenset[StaffNotice]
    language: str

    def works(self, department: str) -> bool:
        return department in self.departments

    def wants(self, notice: StaffNotice) -> bool:
        return notice in self.notices


def shown_to_customers(name: str | None, department_name: str) -> str:
    """How a customer sees an operator: "<name> · <department>", never an e-mail address (a name
    stored before names existed was the operator's address: then the department alone)."""
    if not name or "@" in name:
        return department_name
    return f"{name} · {department_name}"
