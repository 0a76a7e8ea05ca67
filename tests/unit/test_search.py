"""Search on the in-memory fakes: by tracking ID, by word prefixes through the word index, the
caller's account only, internal notes never; the index kept from the tickets' words (the
stream's part played by InMemorySearchIndex.sync); cursors and the read budget.
Bad input tried: a query without a searchable word ("¿? !"), garbled and foreign cursors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.domain.errors import InvalidInput, NotAllowed
from helpdesk.domain.status_machine import Status
from helpdesk.services import search as search_service
from helpdesk.services.search import SearchFilters, SearchIndexer, TicketSearch
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, BRUNO, LUIS, NO_ACCOUNT, SETTINGS, T0
from tests.support.fakes import InMemorySearchIndex, InMemoryTickets


class Desk:
    def __init__(self) -> None:
        self.store = InMemoryTickets()
        self.index = InMemorySearchIndex(self.store)
        counter = iter(range(10**6))
        self.tickets = TicketService(
            self.store, SETTINGS, ticket_ids=lambda: f"NZ-{68821665 + next(counter):08d}"
        )
        self.search = TicketSearch(self.index)
        self.indexer = SearchIndexer(self.index)
        self.minute = 0

    def open(self, subject: str, body: str = "Hola", caller=ANA) -> str:
        self.minute += 1
        ticket = self.tickets.open_ticket(
            caller, department="soporte", subject=subject, body=body, now=T0 + timedelta(minutes=self.minute)
        )
        return ticket.id

    def find(self, caller, query: str, **kwargs) -> list[str]:
        self.index.sync(self.indexer)
        return [t.id for t in self.search.search(caller, query, **kwargs).items]


@pytest.fixture
def desk() -> Desk:
    return Desk()


@pytest.mark.parametrize("typed", ["NZ-68821665", "nz-68821665", "68821665", " #NZ68821665 "])
def test_a_ticket_is_found_by_its_id_as_people_type_it(desk, typed):
    ticket_id = desk.open("El webmail no carga")
    assert ticket_id == "NZ-68821665"
    assert desk.find(ANA, typed) == [ticket_id]
    assert desk.find(LUIS, typed) == [ticket_id]


def test_another_accounts_id_finds_nothing(desk):
    theirs = desk.open("Factura de octubre", caller=BRUNO)
    assert desk.find(ANA, theirs) == []
    assert desk.find(ANA, theirs.lower()) == []


def test_an_id_search_costs_one_read(desk):
    ticket_id = desk.open("El webmail no carga")
    desk.index.sync(desk.indexer)
    desk.index.reads = 0
    desk.search.search(ANA, ticket_id)
    assert desk.index.reads == 1


def test_words_match_by_prefix_with_accents_and_case_folded(desk):
    password = desk.open("Olvidé la contraseña")
    contract = desk.open("Cambiar el CONTRATO")
    desk.open("El webmail no carga")
    assert desk.find(ANA, "contra") == [contract, password]  # newest first
    assert desk.find(ANA, "CONTRASEÑA") == [password]
    assert desk.find(ANA, "contrasena") == [password]
    assert desk.find(ANA, "contrasenas") == []  # the word asked must begin a word, not the reverse
    assert desk.find(ANA, "olvid contra") == [password]


def test_a_word_longer_than_the_indexed_prefix_is_checked_on_the_ticket(desk):
    config = desk.open("Configuración del correo")
    desk.open("Configurar el DNS")  # shares the first 8 letters, "configur"
    assert desk.find(ANA, "configuracion") == [config]


def test_replies_add_words_internal_notes_do_not(desk):
    ticket_id = desk.open("El webmail no carga")
    desk.tickets.reply(LUIS, ticket_id, body="moroso confidencial", internal=True, now=T0)
    desk.tickets.reply(LUIS, ticket_id, body="Reinstalamos el certificado", now=T0)
    assert desk.find(ANA, "certif") == [ticket_id]
    assert desk.find(ANA, "confidencial") == []
    assert desk.find(LUIS, "confidencial") == []


def test_a_customer_finds_only_their_account_an_operator_every_account(desk):
    mine = desk.open("Registro DNS")
    theirs = desk.open("Registro DNS", caller=BRUNO)
    assert desk.find(ANA, "dns") == [mine]
    assert desk.find(BRUNO, "dns") == [theirs]
    assert desk.find(LUIS, "dns") == [theirs, mine]


def test_filters_apply_to_search(desk):
    closed = desk.open("Registro DNS")
    desk.open("Registro DNS caducado")
    desk.tickets.close(ANA, closed, now=T0 + timedelta(hours=1))
    assert desk.find(ANA, "dns", filters=SearchFilters(status=Status.CLOSED)) == [closed]
    assert desk.find(ANA, "dns", filters=SearchFilters(department="comercial")) == []


def test_pages_walk_every_match_once(desk):
    opened = [desk.open(f"Registro DNS número {n}") for n in range(7)]
    desk.open("El webmail no carga")
    seen: list[str] = []
    cursor = None
    desk.index.sync(desk.indexer)
    while True:
        page = desk.search.search(ANA, "dns registro", limit=3, cursor=cursor)
        seen += [t.id for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == opened[::-1]


def test_the_sparsest_word_drives_and_absent_tickets_are_not_read(desk):
    for n in range(30):
        desk.open(f"Dominio caducado {n}")
    rare = desk.open("Registro DNS del dominio")
    desk.index.sync(desk.indexer)
    desk.index.reads = 0
    assert [t.id for t in desk.search.search(ANA, "dominio dns").items] == [rare]
    # the two index lists, and one ticket: "dns" has one entry, so no "dominio" ticket is read
    assert desk.index.reads == 31 + 1 + 1


def test_the_read_budget_answers_with_a_cursor(desk, monkeypatch):
    monkeypatch.setattr(search_service, "CHUNK", 2)
    monkeypatch.setattr(search_service, "MAX_CHUNKS", 2)
    opened = [desk.open(f"Registro DNS {n}") for n in range(6)]
    desk.tickets.close(ANA, opened[0], now=T0 + timedelta(hours=1))
    desk.index.sync(desk.indexer)
    closed_only = SearchFilters(status=Status.CLOSED)
    first = desk.search.search(ANA, "dns", closed_only)
    assert first.items == []
    assert first.next_cursor is not None
    second = desk.search.search(ANA, "dns", closed_only, cursor=first.next_cursor)
    assert [t.id for t in second.items] == [opened[0]]
    assert second.next_cursor is None


def test_the_indexer_writes_only_new_prefixes(desk):
    ticket_id = desk.open("Webmail")
    desk.index.sync(desk.indexer)
    before = sum(len(v) for v in desk.index.entries.values())
    desk.tickets.reply(LUIS, ticket_id, body="webmail web", now=T0)  # nothing new to index
    desk.index.sync(desk.indexer)
    assert sum(len(v) for v in desk.index.entries.values()) == before
    desk.tickets.reply(LUIS, ticket_id, body="webmaster", now=T0)
    desk.index.sync(desk.indexer)
    # webmail gave we..webmail; webmaster adds only "webmas", "webmast" (8 letters at most: "webmaste")
    assert sum(len(v) for v in desk.index.entries.values()) == before + 3


def test_search_needs_a_searchable_word(desk):
    with pytest.raises(InvalidInput, match=r"^search_needs_a_word$"):
        desk.search.search(LUIS, "¿? !")


@pytest.mark.parametrize("cursor", ["garbage", "WyJkdWUiLCAieCIsICJ5Il0", "WyJzZWFyY2giLCAiMjAyNiJd"])
def test_a_cursor_search_did_not_hand_out_is_refused(desk, cursor):
    with pytest.raises(InvalidInput, match="cursor"):
        desk.search.search(ANA, "dns", cursor=cursor)


def test_a_customer_without_an_account_cannot_search(desk):
    with pytest.raises(NotAllowed):
        desk.search.search(NO_ACCOUNT, "dns")


def test_closed_tickets_show_their_resolving_answer_with_the_words_marked(desk):
    solved = desk.open("No resuelve el dominio")
    desk.tickets.reply(LUIS, solved, body="¿Qué registro tiene?", now=T0 + timedelta(hours=1))
    desk.tickets.reply(ANA, solved, body="Un CNAME", now=T0 + timedelta(hours=2))
    answer = "Corregimos el registro DNS del dominio."
    desk.tickets.reply(LUIS, solved, body=answer, now=T0 + timedelta(hours=3))
    later = T0 + timedelta(hours=4)
    desk.tickets.reply(LUIS, solved, body="nota: cliente pesado", internal=True, now=later)
    desk.tickets.close(ANA, solved, now=T0 + timedelta(hours=5))
    still_open = desk.open("Dominio caducado")
    desk.tickets.reply(LUIS, still_open, body="Lo renovamos", now=T0 + timedelta(hours=1))
    desk.index.sync(desk.indexer)
    page = desk.search.search(ANA, "dominio")
    assert [t.id for t in page.items] == [still_open, solved]
    assert set(page.resolutions) == {solved}  # open tickets are not resolved yet
    answer = page.resolutions[solved]
    assert [(s.text, s.marked) for s in answer.segments] == [
        ("Corregimos el registro DNS del ", False),
        ("dominio", True),
        (".", False),
    ]
    assert answer.created_at == T0 + timedelta(hours=3)


def test_a_ticket_closed_without_an_operator_answer_has_no_resolution(desk):
    closed = desk.open("Registro DNS")
    desk.tickets.close(ANA, closed, now=T0 + timedelta(hours=1))
    desk.index.sync(desk.indexer)
    assert desk.search.search(ANA, "dns").resolutions == {}


def test_suggestions_rank_closed_tickets_by_shared_words_with_their_answer(desk):
    both = desk.open("El webmail no carga en Firefox")
    desk.tickets.reply(LUIS, both, body="Borre la caché de Firefox y vuelva a entrar.", now=T0)
    desk.tickets.close(ANA, both, now=T0 + timedelta(hours=1))
    one = desk.open("Webmail lento")
    desk.tickets.close(ANA, one, now=T0 + timedelta(hours=1))
    open_one = desk.open("Webmail caído en Firefox")  # not closed: not a past answer
    desk.open("Factura duplicada", caller=BRUNO)
    desk.index.sync(desk.indexer)
    closed = SearchFilters(status=Status.CLOSED)
    page = desk.search.suggest(ANA, "¿Por qué el webmail no carga en firefox?", closed)
    assert [t.id for t in page.items] == [both, one]
    assert open_one not in [t.id for t in page.items]
    marked = [s.text for s in page.resolutions[both].segments if s.marked]
    assert marked == ["Firefox"]
    assert page.next_cursor is None


def test_suggestions_ignore_short_and_common_words_and_other_accounts(desk):
    desk.open("Factura de octubre", caller=BRUNO)
    desk.index.sync(desk.indexer)
    assert desk.search.suggest(ANA, "factura").items == []
    assert desk.search.suggest(ANA, "el de la que para").items == []
    assert desk.search.suggest(BRUNO, "factura").items != []
