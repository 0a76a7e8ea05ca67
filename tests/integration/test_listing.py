"""GET /tickets: scope, ordering, filters, word search, pagination, bad parameters."""

import pytest

from tests.support.harness import ANA, LUIS, MARTA, customer


def ids(result):
    assert result.status == 200, result.body
    return [t["id"] for t in result.json()["items"]]


@pytest.fixture
def three(api):
    a = api.open(
        subject="Dominio caducado", body="El dominio netz0-cliente.es caducó", department="comercial"
    )
    api.later(minutes=1)
    b = api.open(subject="Webmail lento", body="La bandeja tarda mucho en cargar")
    api.later(minutes=1)
    c = api.open(subject="Certificado SSL", body="Configuración del certificado", department="soporte")
    api.later(minutes=1)
    return a, b, c


def test_newest_activity_first(api, three):
    a, b, c = three
    assert ids(api.get("/tickets", ANA)) == [c["id"], b["id"], a["id"]]
    api.later(minutes=1)
    api.reply(a["id"], LUIS, "Renovado")
    assert ids(api.get("/tickets", ANA)) == [a["id"], c["id"], b["id"]]


def test_filter_by_status_and_department(api, three):
    a, b, c = three
    api.reply(b["id"], LUIS, "¿Qué navegador?")
    assert ids(api.get("/tickets", ANA, query={"status": "WAITING"})) == [b["id"]]
    assert ids(api.get("/tickets", LUIS, query={"status": "OPEN"})) == [c["id"], a["id"]]
    assert ids(api.get("/tickets", LUIS, query={"status": "OPEN", "department": "comercial"})) == [a["id"]]
    # b was answered last, so it comes first
    assert ids(api.get("/tickets", ANA, query={"department": "soporte"})) == [b["id"], c["id"]]


def test_filter_by_assignee(api, three):
    a, b, _ = three
    api.post(f"/tickets/{a['id']}/assign", LUIS)
    api.post(f"/tickets/{b['id']}/assign", MARTA)
    assert ids(api.get("/tickets", LUIS, query={"assignee": LUIS["sub"]})) == [a["id"]]
    assert ids(api.get("/tickets", LUIS, query={"assignee": MARTA["sub"], "status": "OPEN"})) == [b["id"]]


def test_search_finds_past_resolutions_in_replies(api, three):
    a, _, c = three
    api.reply(c["id"], LUIS, "Solución: reinstalamos el certificado con Let's Encrypt.")
    api.post(f"/tickets/{c['id']}/close", ANA)
    assert ids(api.get("/tickets", ANA, query={"q": "encrypt"})) == [c["id"]]
    assert ids(api.get("/tickets", ANA, query={"q": "Let's Encrypt certificado"})) == [c["id"]]
    # accents and case do not matter
    assert ids(api.get("/tickets", ANA, query={"q": "CONFIGURACION"})) == [c["id"]]
    assert ids(api.get("/tickets", ANA, query={"q": "dominio"})) == [a["id"]]
    assert ids(api.get("/tickets", ANA, query={"q": "netz0-cliente.es"})) == [a["id"]]
    assert ids(api.get("/tickets", ANA, query={"q": "inexistente"})) == []


def test_search_does_not_look_inside_internal_notes(api, three):
    a, _, _ = three
    api.reply(a["id"], LUIS, "moroso confidencial", internal=True)
    assert ids(api.get("/tickets", ANA, query={"q": "confidencial"})) == []
    assert ids(api.get("/tickets", LUIS, query={"q": "confidencial"})) == []


def test_pagination_walks_every_ticket_once(api):
    opened = []
    for n in range(7):
        api.later(seconds=1)
        opened.append(api.open(subject=f"t{n}")["id"])
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = api.get("/tickets", ANA, query=query).json()
        seen += [t["id"] for t in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(opened))
    assert pages == 3


def test_exact_last_page_has_no_cursor(api):
    for _ in range(3):
        api.later(seconds=1)
        api.open()
    page = api.get("/tickets", ANA, query={"limit": "3"}).json()
    assert len(page["items"]) == 3
    assert page["next_cursor"] is None


def test_filtered_pagination(api):
    for n in range(6):
        api.later(seconds=1)
        t = api.open(subject=f"t{n}")
        if n % 2:
            api.reply(t["id"], LUIS, "x")
    first = api.get("/tickets", ANA, query={"status": "WAITING", "limit": "2"}).json()
    rest = api.get(
        "/tickets", ANA, query={"status": "WAITING", "limit": "2", "cursor": first["next_cursor"]}
    ).json()
    assert [t["subject"] for t in first["items"] + rest["items"]] == ["t5", "t3", "t1"]


def test_a_cursor_from_another_account_is_refused(api):
    for _ in range(3):
        api.later(seconds=1)
        api.open()
    cursor = api.get("/tickets", ANA, query={"limit": "1"}).json()["next_cursor"]
    other = customer("acct-2002", "b@x.example")
    result = api.get("/tickets", other, query={"cursor": cursor})
    assert result.status == 400
    assert result.json()["error"]["details"][0]["field"] == "cursor"


BAD_QUERIES = [
    {"status": "ABIERTO"},
    {"status": "open,closed"},
    {"limit": "0"},
    {"limit": "101"},
    {"limit": "diez"},
    {"cursor": "not-a-cursor"},
    {"cursor": "eyJmb28iOiJiYXIifQ"},
    {"department": "ventas"},
    {"q": "!!"},
    {"q": "x" * 201},
]


@pytest.mark.parametrize("query", BAD_QUERIES, ids=[str(q)[:30] for q in BAD_QUERIES])
def test_bad_query_parameters(api, query):
    result = api.get("/tickets", ANA, query=query)
    assert result.status in (400, 422), result.body
    assert result.json()["error"]["message"]
