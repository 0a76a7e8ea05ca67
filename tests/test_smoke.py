from tests.conftest import ANA, LUIS


def test_smoke(api):
    t = api.open()
    print(t)
    r = api.reply(t["id"], LUIS, "hola")
    print(r.status, r.body)
    print(api.ticket(t["id"], ANA))
