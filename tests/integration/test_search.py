"""GET /tickets?q= on moto through the handlers: the tracking ID in the search box, word prefixes
through the word index that functions/index_search keeps from the table's stream, 404-free
across accounts, what one search reads. Bad input tried: a query of punctuation only, a cursor
of another listing, a garbled cursor, an over-long query."""

from tests.support.harness import ANA, BRUNO, LUIS


def ids(result):
    assert result.status == 200, result.body
    return [t["id"] for t in result.json()["items"]]


def test_a_ticket_is_found_by_its_id_in_the_search_box(api):
    ticket = api.open(subject="El webmail no carga")
    digits = ticket["id"].removeprefix("NZ-")
    for typed in (ticket["id"], ticket["id"].lower(), digits):
        assert ids(api.get("/tickets", ANA, query={"q": typed})) == [ticket["id"]]
        assert ids(api.get("/tickets", LUIS, query={"q": typed})) == [ticket["id"]]


def test_another_accounts_id_finds_nothing_and_says_nothing(api):
    theirs = api.open(BRUNO, subject="Factura de octubre")
    api.open(ANA, subject="Otra cosa")
    for typed in (theirs["id"], theirs["id"].lower(), theirs["id"].removeprefix("NZ-")):
        result = api.get("/tickets", ANA, query={"q": typed})
        assert result.status == 200
        assert result.json() == {"items": [], "next_cursor": None}


def test_an_id_search_is_one_get_item(api, aws):
    from helpdesk import runtime

    ticket = api.open(subject="El webmail no carga")
    api.index.drain()
    calls: list[str] = []
    events = runtime.dynamodb().meta.events
    events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    assert ids(api.get("/tickets", ANA, query={"q": ticket["id"]})) == [ticket["id"]]
    assert calls == ["GetItem"]


def test_words_match_by_prefix_in_subjects_and_replies(api):
    password = api.open(subject="Olvidé la contraseña", body="No puedo entrar")
    api.later(minutes=1)
    contract = api.open(subject="Cambiar el contrato", body="Quiero el plan anual")
    api.later(minutes=1)
    api.reply(password["id"], LUIS, "Le enviamos un enlace de recuperación")
    assert ids(api.get("/tickets", ANA, query={"q": "contra"})) == [contract["id"], password["id"]]
    assert ids(api.get("/tickets", ANA, query={"q": "CONTRASEÑA"})) == [password["id"]]
    assert ids(api.get("/tickets", ANA, query={"q": "recuper"})) == [password["id"]]
    assert ids(api.get("/tickets", ANA, query={"q": "contra plan"})) == [contract["id"]]


def test_the_index_follows_the_stream(api):
    ticket = api.open(subject="Registro DNS")
    # Before the stream's record reaches the indexer the index does not know the ticket yet.
    assert api.call("GET", "/tickets", ANA, query={"q": "dns"}).json()["items"] == []
    assert api.index.drain() >= 1
    assert ids(api.get("/tickets", ANA, query={"q": "dns"})) == [ticket["id"]]


def test_a_redelivered_stream_record_indexes_the_same_entries(api, aws):
    api.open(subject="Registro DNS")
    poller = api.index.poller
    delivered: list[dict] = []
    invoke = poller._invoke
    poller._invoke = lambda event: (delivered.append(event), invoke(event))[1]
    api.index.drain()
    before = aws.scan(TableName="helpdesk-test", Select="COUNT")["Count"]
    invoke(delivered[0])  # the stream delivers the same batch again
    assert aws.scan(TableName="helpdesk-test", Select="COUNT")["Count"] == before


def test_internal_notes_are_not_indexed(api):
    ticket = api.open(subject="Webmail")
    api.reply(ticket["id"], LUIS, "cliente moroso", internal=True)
    assert ids(api.get("/tickets", ANA, query={"q": "moroso"})) == []
    assert ids(api.get("/tickets", LUIS, query={"q": "moroso"})) == []


def test_customers_search_their_account_operators_every_account(api):
    mine = api.open(ANA, subject="Registro DNS")
    api.later(minutes=1)
    theirs = api.open(BRUNO, subject="Registro DNS")
    assert ids(api.get("/tickets", ANA, query={"q": "dns"})) == [mine["id"]]
    assert ids(api.get("/tickets", LUIS, query={"q": "dns"})) == [theirs["id"], mine["id"]]
    assert ids(api.get("/tickets", LUIS, query={"q": "dns", "status": "CLOSED"})) == []


def test_search_pages_walk_every_match(api):
    opened = []
    for n in range(5):
        opened.append(api.open(subject=f"Registro DNS {n}")["id"])
        api.later(minutes=1)
    seen, cursor = [], None
    while True:
        query = {"q": "dns", "limit": "2", **({"cursor": cursor} if cursor else {})}
        page = api.get("/tickets", ANA, query=query).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == opened[::-1]


def test_bad_search_input_gets_a_clear_error(api):
    api.open(subject="Registro DNS")
    api.open(subject="Otro")
    listing_cursor = api.get("/tickets", ANA, query={"limit": "1"}).json()["next_cursor"]
    for query, status in (
        ({"q": "¿? !"}, 400),
        ({"q": "dns", "cursor": listing_cursor}, 400),
        ({"q": "dns", "cursor": "no-es-un-cursor"}, 400),
        ({"q": "x" * 201}, 422),
    ):
        result = api.get("/tickets", ANA, query=query)
        assert result.status == status, (query, result.body)
        assert result.json()["error"]["message"]


def test_the_backfill_script_indexes_tickets_written_before_the_index(api, aws):
    import importlib.util

    from devstack.template import ROOT

    spec = importlib.util.spec_from_file_location("backfill", ROOT / "scripts" / "backfill_search_index.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    backfill = module.backfill
    old = api.open(subject="Registro DNS antiguo")
    # As if written before the index existed: the stream's records never reach the indexer.
    api.index.poller.drain = lambda: 0
    assert ids(api.get("/tickets", ANA, query={"q": "dns"})) == []
    tickets, entries = backfill(aws, "helpdesk-test")
    assert tickets == 1
    assert entries > 0
    assert ids(api.get("/tickets", ANA, query={"q": "dns"})) == [old["id"]]
    assert backfill(aws, "helpdesk-test") == (tickets, entries)  # again: the same entries


def test_a_closed_tickets_result_shows_its_resolving_answer_as_marked_segments(api):
    ticket = api.open(subject="El dominio no resuelve", body="Desde ayer")
    api.reply(ticket["id"], LUIS, "Corregimos el registro <b>DNS</b> del dominio.")
    api.reply(ticket["id"], LUIS, "nota interna: dns pendiente de revisar", internal=True)
    api.post(f"/tickets/{ticket['id']}/close", ANA)
    [found] = api.get("/tickets", ANA, query={"q": "dns"}).json()["items"]
    resolution = found["resolution"]
    assert [(s["text"], s["marked"]) for s in resolution["segments"]] == [
        ("Corregimos el registro <b>", False),
        ("DNS", True),
        ("</b> del dominio.", False),
    ]
    thread = api.ticket(ticket["id"], ANA)
    public_answer = next(m for m in thread["messages"] if m["author_role"] == "operator")
    assert resolution["message_id"] == public_answer["id"]
    # Listings and open tickets carry none.
    assert api.get("/tickets", ANA).json()["items"][0]["resolution"] is None


def test_match_any_suggests_closed_tickets_sharing_words_best_first(api):
    solved = api.open(subject="El webmail no carga en Firefox")
    api.reply(solved["id"], LUIS, "Borre la caché de Firefox.")
    api.post(f"/tickets/{solved['id']}/close", ANA)
    api.later(minutes=1)
    other = api.open(subject="Webmail lento")
    api.post(f"/tickets/{other['id']}/close", ANA)
    api.open(subject="Webmail caído")  # open: not suggested with status=CLOSED
    subject = "¿Por qué no carga el webmail en Firefox?"
    query = {"q": subject, "match": "any", "status": "CLOSED", "limit": "3"}
    page = api.get("/tickets", ANA, query=query).json()
    assert [t["id"] for t in page["items"]] == [solved["id"], other["id"]]
    assert page["next_cursor"] is None
    marked = [s["text"] for s in page["items"][0]["resolution"]["segments"] if s["marked"]]
    assert marked == ["Firefox"]
    assert api.get("/tickets", BRUNO, query=query).json()["items"] == []
    assert api.get("/tickets", ANA, query={**query, "match": "some"}).status == 422
