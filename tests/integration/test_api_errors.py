"""The API's refusals as a reader meets them: bodies that are not UTF-8 text, malformed JSON,
invalid fields, in the reader's language (Accept-Language es/en, Spanish by default), always in
the project's own sentences; and who counts as an operator."""

from __future__ import annotations

import ast
import base64
import re
import string
from pathlib import Path
from typing import Any

import pytest

from helpdesk.domain import errors, status_machine
from helpdesk.http import messages
from helpdesk.http.api import reader_language
from tests.support.harness import ANA, LUIS, operator

LAYER = Path(__file__).resolve().parents[2] / "layers" / "common" / "helpdesk"
LATIN1_TICKET = b'{"department": "soporte", "subject": "caf\xe9", "body": "el caf\xe9 no carga"}'
# pydantic's own phrasing; none of it may reach a reader (it did: "String should have at least 1 character").
PYDANTIC_ENGLISH = re.compile(r"should|Field required|Input|Value error|Extra inputs|valid (string|integer)")


# ------------------------------------------------------------------ bodies that are not UTF-8
def _routes_with_a_body(api: Any) -> list[tuple[str, str, dict[str, Any]]]:
    ticket = api.open()
    return [
        ("POST", "/tickets", ANA),
        ("POST", f"/tickets/{ticket['id']}/replies", ANA),
        ("POST", f"/tickets/{ticket['id']}/assign", LUIS),
        ("PUT", "/account", ANA),
        ("POST", "/account/emails", ANA),
    ]


@pytest.mark.parametrize(
    "raw",
    [
        LATIN1_TICKET,  # a Latin-1 é
        b'{"body": "\xff\xfe"}',  # bytes no UTF-8 text has
        b'{"body": "\xe2\x82"}',  # a sequence cut short
        b'{"body": "\xed\xa0\x80"}',  # an encoded surrogate
    ],
    ids=["latin-1", "ff-fe", "truncated", "surrogate"],
)
def test_a_body_that_is_not_utf8_is_400_on_every_route_with_a_body(api, raw):
    for method, path, who in _routes_with_a_body(api):
        result = api.call(method, path, who, body=raw)
        assert result.status == 400, (path, result.body)
        error = result.json()["error"]
        assert error["code"] == "malformed_body"
        assert "UTF-8" in error["message"]
        assert error["details"] == []
    assert [t["subject"] for t in api.get("/tickets", ANA).json()["items"]] == ["El webmail no carga"]


def test_the_utf8_message_speaks_the_readers_language(api):
    spanish = api.post("/tickets", ANA, LATIN1_TICKET).json()["error"]["message"]
    answer = api.post("/tickets", ANA, LATIN1_TICKET, headers={"Accept-Language": "en"})
    assert answer.headers["content-language"] == "en"  # answered before the resolver runs, too
    english = answer.json()["error"]
    at = LATIN1_TICKET.index(b"\xe9")  # where the first Latin-1 é is
    assert spanish == f"El cuerpo de la petición no es texto UTF-8 (byte no válido en la posición {at})."
    assert english["message"] == f"The request body is not UTF-8 text (invalid byte at position {at})."


def test_a_body_marked_base64_that_is_not_is_400(api, gateway):
    _spec, _route, event = gateway.event_for("POST", "/tickets", claims=ANA, body=LATIN1_TICKET)
    assert event["isBase64Encoded"]  # what API Gateway does with bytes that are not text
    spec, _route, event = gateway.event_for("POST", "/tickets", claims=ANA, body="x")
    event.update(body="%%% not base64 %%%", isBase64Encoded=True)
    result = gateway._http_result(gateway.invoke(spec, event))
    assert result.status == 400
    assert result.json()["error"]["code"] == "malformed_body"


def test_utf8_sent_as_base64_is_read(api, gateway):
    spec, _route, event = gateway.event_for("POST", "/tickets", claims=ANA, body="x")
    text = '{"department": "soporte", "subject": "café", "body": "¿Qué pasa?"}'
    event.update(body=base64.b64encode(text.encode()).decode(), isBase64Encoded=True)
    result = gateway._http_result(gateway.invoke(spec, event))
    assert result.status == 201, result.body
    assert result.json()["subject"] == "café"


# ------------------------------------------------------------------ malformed JSON
@pytest.mark.parametrize("raw", ['{"department": "soporte", "subject": "s", body: 1}', "{", '{"a": }'])
def test_malformed_json_names_no_field(api, raw):
    result = api.post("/tickets", ANA, raw, headers={"content-type": "application/json"})
    assert result.status == 400
    error = result.json()["error"]
    assert error["code"] == "malformed_json"
    assert error["details"] == []  # it named "field": "48", a character position
    assert error["message"].startswith("El cuerpo de la petición no es JSON válido")
    position = raw.index("body") if "body:" in raw else None
    if position is not None:
        assert f"posición {position}" in error["message"]


# ------------------------------------------------------------------ the reader's language
INVALID_TICKETS = [
    (
        {"department": "soporte", "subject": "", "body": "b"},
        "subject",
        "no puede estar vacío",
        "must not be empty",
    ),
    (
        {"department": "soporte", "subject": " \n", "body": "b"},
        "subject",
        "no puede estar vacío",
        "must not be empty",
    ),
    (
        {"department": "soporte", "subject": "x" * 201, "body": "b"},
        "subject",
        "debe tener como máximo 200 caracteres",
        "must be at most 200 characters long",
    ),
    (
        {"department": "soporte", "subject": "a\x00b", "body": "b"},
        "subject",
        "no puede contener caracteres de control",
        "must not contain control characters",
    ),
    ({"department": "soporte", "subject": "s"}, "body", "es obligatorio", "is required"),
    (
        {"department": "soporte", "subject": 5, "body": "b"},
        "subject",
        "debe ser un texto",
        "must be a string",
    ),
    (
        {"department": "soporte", "subject": "s", "body": "b", "status": "CLOSED"},
        "status",
        "no es un campo que usted pueda enviar",
        "is not a field you can set",
    ),
    (
        {"department": "ventas", "subject": "s", "body": "b"},
        "department",
        "debe ser uno de: comercial, soporte",
        "must be one of: comercial, soporte",
    ),
]


@pytest.mark.parametrize(("body", "field", "spanish", "english"), INVALID_TICKETS)
def test_invalid_fields_are_explained_in_the_readers_language(api, body, field, spanish, english):
    answers = {
        language: api.post("/tickets", ANA, body, headers=headers).json()["error"]
        for language, headers in [("es", {}), ("en", {"Accept-Language": "en-GB,en;q=0.9"})]
    }
    assert {"field": field, "message": spanish} in answers["es"]["details"]
    assert {"field": field, "message": english} in answers["en"]["details"]
    for error in answers.values():
        assert not PYDANTIC_ENGLISH.search(error["message"]), error
        assert not any(PYDANTIC_ENGLISH.search(d["message"]) for d in error["details"]), error


def test_wrong_types_in_queries_and_bodies_use_the_projects_sentences(api):
    ticket = api.open()
    cases = [
        api.get("/tickets", ANA, query={"limit": "muchos"}),
        api.get("/tickets", ANA, query={"limit": "0"}),
        api.get("/tickets", ANA, query={"status": "PERDIDO"}),
        api.call("PUT", "/account", ANA, body={"language": "fr"}),
        api.reply(ticket["id"], LUIS, "nota", internal="quizá"),
        api.post("/tickets", ANA, [1, 2]),
        api.post(f"/tickets/{ticket['id']}/assign", LUIS, {"assignee": ""}),
    ]
    for result in cases:
        assert result.status == 422, result.body
        error = result.json()["error"]
        assert error["message"].startswith("La petición no es válida.")
        for detail in error["details"]:
            assert messages.has(_key_of(detail["message"])), detail
        assert not PYDANTIC_ENGLISH.search(result.body), result.body


def _key_of(sentence: str) -> str:
    """The Spanish catalogue key whose sentence (placeholders as wildcards) this is."""
    for key, template in messages.ES.items():
        pattern = "".join(
            re.escape(literal) + (".*" if name is not None else "")
            for literal, name, _spec, _conversion in string.Formatter().parse(template)
        )
        if re.fullmatch(pattern, sentence):
            return key
    return "?"


def test_domain_refusals_speak_the_readers_language(api):
    ticket = api.open()
    api.post(f"/tickets/{ticket['id']}/close", ANA)
    spanish = api.post(f"/tickets/{ticket['id']}/close", ANA).json()["error"]
    english = api.post(f"/tickets/{ticket['id']}/close", ANA, headers={"Accept-Language": "en"}).json()[
        "error"
    ]
    assert spanish == {
        "code": "invalid_transition",
        "message": f"El ticket {ticket['id']} ya está cerrado.",
        "details": [],
    }
    assert english["message"] == f"Ticket {ticket['id']} is already closed."
    # Content-Language says which language the words are in (the portal shows them only when it matches).
    assert api.post(f"/tickets/{ticket['id']}/close", ANA).headers["content-language"] == "es"
    closed_en = api.post(f"/tickets/{ticket['id']}/close", ANA, headers={"Accept-Language": "en-US"})
    assert closed_en.headers["content-language"] == "en"
    reopen = api.post(f"/tickets/{ticket['id']}/reopen", ANA)
    assert reopen.status == 200
    refused = api.post(f"/tickets/{ticket['id']}/reopen", ANA, headers={"Accept-Language": "en"})
    assert (
        refused.json()["error"]["message"]
        == f"Ticket {ticket['id']} is not closed (Open), so it cannot be reopened."
    )
    assert "(Abierto)" in api.post(f"/tickets/{ticket['id']}/reopen", ANA).json()["error"]["message"]


def test_no_ticket_speaks_the_readers_language(api):
    spanish = api.get("/tickets/NZ-00000000", ANA).json()["error"]
    assert spanish["message"] == "No existe el ticket NZ-00000000 en su cuenta."
    english = api.get("/tickets/NZ-00000000", ANA, headers={"Accept-Language": "en"}).json()["error"]
    assert english["message"] == "There is no ticket NZ-00000000 on your account."


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "es"),
        ("", "es"),
        ("en", "en"),
        ("EN-us", "en"),
        ("es-ES,es;q=0.9,en;q=0.8", "es"),
        ("fr-FR, en;q=0.5", "en"),
        ("de, fr", "es"),
        ("en;q=0, es;q=0.1", "es"),
        ("en;q=0", "es"),
        ("en;q=0.3, es;q=0.7", "es"),
        ("es;q=0.3, en;q=0.7", "en"),
        ("*", "es"),
        ("en;q=nope", "es"),
        (";;,,;q=", "es"),
    ],
)
def test_language_negotiation(header, language):
    assert reader_language({"accept-language": header} if header is not None else {}) == language


def test_catalogues_have_the_same_keys_and_placeholders():
    assert messages.ES.keys() == messages.EN.keys()
    for key in messages.ES:
        names = [{f[1] for f in string.Formatter().parse(c[key]) if f[1]} for c in (messages.ES, messages.EN)]
        assert names[0] == names[1], key


def test_every_reason_the_code_raises_has_a_sentence():
    """Reasons are the first argument of a domain error, and the second of a FieldProblem."""
    error_names = {cls.__name__ for cls in _subclasses(errors.HelpdeskError)}
    found: set[str] = set(status_machine._REFUSALS.values())
    for path in LAYER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            position = 1 if name == "FieldProblem" else 0 if name in error_names else None
            if position is not None and len(node.args) > position:
                argument = node.args[position]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found.add(argument.value)
    assert len(found) > 20
    assert sorted(r for r in found if not messages.has(r)) == []


def _subclasses(cls: type) -> list[type]:
    return [cls, *(sub for direct in cls.__subclasses__() for sub in _subclasses(direct))]


# ------------------------------------------------------------------ who is an operator
@pytest.mark.parametrize(
    "groups",
    [
        ["support,operators"],  # one group named "support,operators"
        ["[operators]"],  # one group named "[operators]"
        "support,operators",
        "[support,operators]",
        ["operators-eu"],
        "[[operators]]",
        "operators ",
        [["operators"]],
    ],
)
def test_only_the_whole_group_name_makes_an_operator(api, groups):
    ticket = api.open()
    claims = {**operator(), "cognito:groups": groups, "custom:account_id": "acct-9"}
    assert api.get(f"/tickets/{ticket['id']}", claims).status == 404
    assert api.post(f"/tickets/{ticket['id']}/assign", claims).status == 403
