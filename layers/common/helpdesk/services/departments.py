"""The one check of a department id that a request names: a known department, or a 422 that
lists the known ones (the same answer for tickets, canned replies, reports and operators' preferences)."""

from __future__ import annotations

from helpdesk.config import Department, Settings
from helpdesk.domain.errors import FieldProblem, InvalidValue


def known_department(settings: Settings, department_id: str, *, field: str = "department") -> Department:
    """`field`: the request's field that named it (an operator's `departments` list, say)."""
    found = settings.department(department_id)
    if found is None:
        known = ", ".join(d.id for d in settings.departments)
        raise InvalidValue(
            "unknown_department",
            department=department_id[:40],
            known=known,
            details=[FieldProblem(field, "one_of", {"choices": known})],
        )
    return found
