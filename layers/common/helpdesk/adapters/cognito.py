"""The operators group of the Cognito user pool: who the operators are. One ListUsersInGroup
call per 60 users (Cognito's page limit); the directory service keeps the result for a short
while per container (helpdesk.services.operators), so warm requests do not call Cognito."""

from __future__ import annotations

from typing import Any

from helpdesk.domain.limits import MAX_DISPLAY_NAME
from helpdesk.domain.operators import DirectoryMember
from helpdesk.domain.text import one_line

PAGE_SIZE = 60  # ListUsersInGroup's maximum Limit


class CognitoOperators:
    def __init__(self, client: Any, user_pool_id: str, group: str) -> None:
        self._client = client
        self._pool = user_pool_id
        self._group = group
        self.calls = 0  # ListUsersInGroup requests made (the bench reads it)

    def members(self) -> list[DirectoryMember]:
        """The enabled members of the group, in Cognito's order; every page."""
        members: list[DirectoryMember] = []
        kwargs: dict[str, Any] = {"UserPoolId": self._pool, "GroupName": self._group, "Limit": PAGE_SIZE}
        while True:
            response = self._client.list_users_in_group(**kwargs)
            self.calls += 1
            for user in response.get("Users", []):
                member = _member(user)
                if member is not None:
                    members.append(member)
            token = response.get("NextToken")
            if not token:
                return members
            kwargs["NextToken"] = token


def _member(user: dict[str, Any]) -> DirectoryMember | None:
    """A directory member from a Cognito user, or None for a disabled one or one without sub or
    e-mail (nothing to address mail to, nothing stable to store)."""
    if user.get("Enabled") is False:
        return None
    attributes = {a["Name"]: a.get("Value", "") for a in user.get("Attributes", [])}
    sub, email = attributes.get("sub"), attributes.get("email")
    if not sub or not email:
        return None
    name = one_line(attributes.get("name") or "")[:MAX_DISPLAY_NAME].strip()
    return DirectoryMember(id=sub, email=email, name=name or email)
