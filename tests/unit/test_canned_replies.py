"""Canned replies on in-memory stores: operators only, placeholders checked at save, filled the
way the portal fills them, one write per change, the limit on how many.
Bad inputs tried: a customer at every operation; unknown placeholders ({{nombre}}, {{ ticket }}),
stray "{{" and "}}"; an unknown department; a missing id on change and delete; a stale version;
one reply over the limit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.domain.canned import PLACEHOLDERS, fill, unknown_placeholders
from helpdesk.domain.errors import (
    CannedReplyNotFound,
    InvalidValue,
    NotAllowed,
    StaleVersion,
    TooManyCannedReplies,
)
from helpdesk.domain.limits import MAX_CANNED_REPLIES
from helpdesk.services.canned_replies import CannedReplyService
from tests.support.domain import ANA, LUIS, MARTA, SETTINGS, T0, sequence
from tests.support.fakes import InMemoryCannedReplies

GREETING = (
    "Hola {{customer_name}}: sobre el ticket {{ticket_id}}, ya está resuelto. Un saludo, {{operator_name}}"
)


@pytest.fixture
def store() -> InMemoryCannedReplies:
    return InMemoryCannedReplies()


@pytest.fixture
def service(store: InMemoryCannedReplies) -> CannedReplyService:
    return CannedReplyService(store, SETTINGS, reply_ids=sequence("cr-"))


def test_an_operator_saves_lists_changes_and_deletes_each_in_one_write(service, store):
    saved = service.create(LUIS, title="Resuelto", body=GREETING, department="soporte", now=T0)
    general = service.create(MARTA, title="Acuse", body="Recibido.", department=None, now=T0)
    assert store.writes == 2
    assert [r.title for r in service.list(LUIS)] == ["Acuse", "Resuelto"]
    assert [r.title for r in service.list(LUIS, department="comercial")] == ["Acuse"]  # and the general ones
    assert [r.title for r in service.list(LUIS, department="soporte")] == ["Acuse", "Resuelto"]
    changed = service.update(
        MARTA, saved.id, title="Resuelto (DNS)", body="Listo, {{customer_name}}.", department=None,
        now=T0 + timedelta(hours=1), expected_version=1,
    )  # fmt: skip
    assert (changed.title, changed.department, changed.version, changed.created_by) == (
        "Resuelto (DNS)", None, 2, LUIS.name,
    )  # fmt: skip
    service.delete(LUIS, general.id)
    assert store.writes == 4
    assert [r.id for r in service.list(LUIS)] == [saved.id]


@pytest.mark.parametrize(
    ("body", "unknown"),
    [
        ("Hola {{nombre}}", ["{{nombre}}"]),
        ("Ticket {{ ticket }}", ["{{ ticket }}"]),
        ("{{ticket_id}} {{Ticket_Id}} {{Ticket_Id}}", ["{{Ticket_Id}}"]),
        ("abre {{ticket_id sin cerrar", ["{{"]),
        ("cierra }} sin abrir", ["}}"]),
        ("{{}}", ["{{}}"]),
    ],
)
def test_unknown_placeholders_are_refused_at_save(service, store, body, unknown):
    assert unknown_placeholders(body) == unknown
    with pytest.raises(InvalidValue) as refused:
        service.create(LUIS, title="t", body=body, department=None, now=T0)
    assert refused.value.reason == "unknown_placeholder"
    assert refused.value.details[0].field == "body"
    assert store.replies == {}


def test_the_known_placeholders_are_accepted_with_spaces_and_filled():
    assert unknown_placeholders(GREETING) == []
    assert unknown_placeholders("{{ ticket_id }}") == []
    filled = fill(GREETING, {"ticket_id": "NZ-00000001", "customer_name": "Ana", "operator_name": "Luis"})
    assert filled == "Hola Ana: sobre el ticket NZ-00000001, ya está resuelto. Un saludo, Luis"
    assert fill("{{ticket_id}} {{customer_name}}", {"ticket_id": "NZ-1"}) == "NZ-1 {{customer_name}}"
    assert PLACEHOLDERS == ("ticket_id", "customer_name", "operator_name")


def test_customers_may_do_none_of_it(service):
    saved = service.create(LUIS, title="t", body="b", department=None, now=T0)
    for attempt in (
        lambda: service.list(ANA),
        lambda: service.create(ANA, title="t", body="b", department=None, now=T0),
        lambda: service.update(ANA, saved.id, title="t", body="b", department=None, now=T0),
        lambda: service.delete(ANA, saved.id),
    ):
        with pytest.raises(NotAllowed):
            attempt()


def test_refusals_name_what_is_wrong(service, store):
    with pytest.raises(InvalidValue) as department:
        service.create(LUIS, title="t", body="b", department="ventas", now=T0)
    assert department.value.reason == "unknown_department"
    with pytest.raises(InvalidValue):
        service.list(LUIS, department="ventas")
    with pytest.raises(CannedReplyNotFound):
        service.update(LUIS, "cr-404", title="t", body="b", department=None, now=T0)
    with pytest.raises(CannedReplyNotFound):
        service.delete(LUIS, "cr-404")
    saved = service.create(LUIS, title="t", body="b", department=None, now=T0)
    service.update(MARTA, saved.id, title="t2", body="b", department=None, now=T0)
    with pytest.raises(StaleVersion) as stale:
        service.update(LUIS, saved.id, title="t3", body="b", department=None, now=T0, expected_version=1)
    assert stale.value.params["current"] == 2
    assert store.replies[saved.id].title == "t2"


def test_at_most_the_limit(service, store):
    for n in range(MAX_CANNED_REPLIES):
        service.create(LUIS, title=f"r{n}", body="b", department=None, now=T0)
    with pytest.raises(TooManyCannedReplies):
        service.create(LUIS, title="one more", body="b", department=None, now=T0)
    assert len(store.replies) == MAX_CANNED_REPLIES
