"""The operator directory: the members of the identity provider's operators group (who they are)
joined with their preferences in the table (what they work and want to hear about).

The group is read from Cognito at most once per OPERATOR_DIRECTORY_TTL per container (a new
operator appears within a minute; one removed from the group stops being offered as well); an id
the copy does not know makes it look again once, so a colleague added a moment ago can be
assigned within seconds. Ticket and message reads never come here: names are stored with the writes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Protocol

from helpdesk.config import Settings
from helpdesk.domain.errors import NotAllowed
from helpdesk.domain.limits import OPERATOR_DIRECTORY_TTL
from helpdesk.domain.models import Caller
from helpdesk.domain.operators import (
    DirectoryMember,
    Operator,
    OperatorPreferences,
    StaffNotice,
)
from helpdesk.services.departments import known_department
from helpdesk.store.protocols import OperatorPreferenceStore

# An id the copy does not know is looked up again only if the copy is older than this: a burst
# of unknown ids (a client bug) costs Cognito one call, not one each.
_LOOK_AGAIN_AFTER = 5.0


class GroupMembers(Protocol):
    """The operators group (adapters.cognito.CognitoOperators)."""

    def members(self) -> list[DirectoryMember]: ...


class OperatorDirectory:
    def __init__(
        self,
        members: GroupMembers,
        store: OperatorPreferenceStore,
        settings: Settings,
        *,
        ttl: timedelta = OPERATOR_DIRECTORY_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._group = members
        self._store = store
        self._settings = settings
        self._ttl = ttl.total_seconds()
        self._clock = clock
        self._cached: dict[str, DirectoryMember] | None = None
        self._read_at = 0.0

    # ---------------------------------------------------------------- the API
    def listing(self, caller: Caller) -> list[Operator]:
        """Every operator with their departments, by name (operators only: for pickers)."""
        self._operators_only(caller)
        return self.operators()

    def me(self, caller: Caller) -> Operator:
        """The caller's own entry: who the token says they are, with their preferences."""
        self._operators_only(caller)
        preferences = self._store.preferences(caller.id) or OperatorPreferences()
        return self._operator(DirectoryMember(caller.id, caller.email or "", caller.name), preferences)

    def update_me(
        self,
        caller: Caller,
        *,
        departments: Iterable[str],
        notices: Iterable[StaffNotice],
        language: str,
        now: datetime,
    ) -> Operator:
        self._operators_only(caller)
        chosen = tuple(dict.fromkeys(departments))
        for department in chosen:
            known_department(self._settings, department, field="departments")
        preferences = OperatorPreferences(departments=chosen, notices=frozenset(notices), language=language)
        self._store.save_preferences(caller.id, preferences, now)
        return self._operator(DirectoryMember(caller.id, caller.email or "", caller.name), preferences)

    # ---------------------------------------------------------------- for the other services
    def member(self, operator_id: str) -> DirectoryMember | None:
        """A member of the operators group by id, or None (not an operator, or no longer one)."""
        found = self._members().get(operator_id)
        if found is None and self._age() >= _LOOK_AGAIN_AFTER:
            found = self._members(refresh=True).get(operator_id)
        return found

    def member_name(self, operator_id: str) -> str | None:
        found = self.member(operator_id)
        return found.name if found else None

    def operators(self) -> list[Operator]:
        preferences = self._store.all_preferences()
        operators = [self._operator(m, preferences.get(m.id)) for m in self._members().values()]
        return sorted(operators, key=lambda o: (o.name.casefold(), o.id))

    def recipients(
        self, notice: StaffNotice, *, department: str | None = None, ids: Iterable[str] | None = None
    ) -> list[Operator]:
        """The operators who want `notice`: those working `department`, or those named by `ids`."""
        wanted = set(ids) if ids is not None else None
        return [
            o
            for o in self.operators()
            if o.wants(notice)
            and (department is None or o.works(department))
            and (wanted is None or o.id in wanted)
        ]

    # ---------------------------------------------------------------- internals
    def _members(self, *, refresh: bool = False) -> dict[str, DirectoryMember]:
        if refresh or self._cached is None or self._age() >= self._ttl:
            self._cached = {m.id: m for m in self._group.members()}
            self._read_at = self._clock()
        return self._cached

    def _age(self) -> float:
        return self._clock() - self._read_at

    def _operator(self, member: DirectoryMember, preferences: OperatorPreferences | None) -> Operator:
        preferences = preferences or OperatorPreferences()
        every = tuple(d.id for d in self._settings.departments)
        departments = preferences.departments if preferences.departments is not None else every
        return Operator(
            id=member.id,
            email=member.email,
            name=member.name,
            departments=tuple(d for d in departments if d in every),
            notices=preferences.notices,
            language=preferences.language,
        )

    @staticmethod
    def _operators_only(caller: Caller) -> None:
        if not caller.is_operator:
            raise NotAllowed("operators_only")
