"""The local stack's operators: members of the user pool's operators group in moto's Cognito,
as the operator directory reads them in AWS, with their departments in the table. A token the
local issuer mints for an operator is always for a member (as only members' Cognito tokens carry
the group): an address not seeded here joins the group when its first token is asked for."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import boto3

from devstack.auth import Identity, Role
from devstack.functions import ensure_layer_on_path
from devstack.provision import enlist_operator


@dataclass(frozen=True)
class SeededOperator:
    email: str
    name: str
    departments: tuple[str, ...]


# Both departments staffed, one operator working both; the first is the banner's demo operator.
SEEDED_OPERATORS = (
    SeededOperator("operador@netz0.example", "Carmen Ruiz", ("soporte", "comercial")),
    SeededOperator("lucia@netz0.example", "Lucía Romero", ("soporte",)),
    SeededOperator("marcos@netz0.example", "Marcos Díaz", ("soporte",)),
    SeededOperator("elena@netz0.example", "Elena Vidal", ("comercial",)),
    SeededOperator("jorge@netz0.example", "Jorge Pons", ("comercial",)),
)


def seed_operators(user_pool_id: str, table_name: str) -> None:
    ensure_layer_on_path()
    # The layer is importable only once it is on the path.
    from helpdesk.domain.operators import OperatorPreferences
    from helpdesk.store.operators import DynamoOperatorStore

    store = DynamoOperatorStore(boto3.client("dynamodb"), table_name)
    for seeded in SEEDED_OPERATORS:
        sub, _name = enlist_operator(user_pool_id, seeded.email, seeded.name)
        store.save_preferences(sub, OperatorPreferences(departments=seeded.departments), datetime.now(UTC))


def as_member(user_pool_id: str, identity: Identity) -> Identity:
    """An operator identity with the sub and name its user in the pool has (joining the group
    first if it is not a member); customers as they are."""
    if identity.role is not Role.OPERATOR:
        return identity
    sub, name = enlist_operator(user_pool_id, identity.email, identity.name)
    return replace(identity, sub=sub, name=name)


def seeded_identity(seeded: SeededOperator) -> Identity:
    return Identity(Role.OPERATOR, seeded.email, name=seeded.name)
