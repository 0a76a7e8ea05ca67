"""Snippets of a resolving answer: the words asked marked (by prefix, accents and case folded),
a window around the first one, never cut mid-word, text only."""

from __future__ import annotations

from helpdesk.domain.models import Resolution
from helpdesk.domain.snippets import ELLIPSIS, WIDTH, Segment, snippet
from tests.support.domain import T0


def cut(body: str, *asked: str) -> list[tuple[str, bool]]:
    return [(s.text, s.marked) for s in snippet(Resolution("m1", body, T0), asked).segments]


def test_the_words_asked_are_marked_by_prefix_folded():
    assert cut("Cambie la Contraseña desde el panel.", "contra") == [
        ("Cambie la ", False),
        ("Contraseña", True),
        (" desde el panel.", False),
    ]


def test_every_occurrence_and_every_word_asked_is_marked():
    assert cut("DNS: el registro dns del dominio", "dns", "domin") == [
        ("DNS", True),
        (": el registro ", False),
        ("dns", True),
        (" del ", False),
        ("dominio", True),
    ]


def test_a_word_asked_must_begin_the_word():
    assert cut("Reinstalamos el certificado", "stala") == [("Reinstalamos el certificado", False)]


def test_a_long_answer_is_cut_around_the_first_match_on_word_boundaries():
    body = "palabra " * 60 + "El fallo era el registro DNS del dominio. " + "resto " * 80
    segments = snippet(Resolution("m1", body, T0), ("dns",)).segments
    text = "".join(s.text for s in segments)
    assert segments[0] == Segment(ELLIPSIS, False)
    assert segments[-1] == Segment(ELLIPSIS, False)
    assert Segment("DNS", True) in segments
    assert len(text) <= WIDTH + 2
    inner = text.strip(ELLIPSIS)
    assert inner.split()[0] == "palabra"  # whole words only
    assert inner.split()[-1] in ("resto", "dominio.")


def test_no_match_shows_the_start_of_the_answer():
    assert cut("Reinicie el router y pruebe de nuevo.", "webmail") == [
        ("Reinicie el router y pruebe de nuevo.", False)
    ]


def test_markup_in_the_answer_is_just_text():
    assert cut("<b>dns</b> <script>x</script>", "dns") == [
        ("<b>", False),
        ("dns", True),
        ("</b> <script>x</script>", False),
    ]


def test_whitespace_runs_and_newlines_become_single_spaces():
    assert cut("Hola,\n\n  revise   el DNS", "dns") == [("Hola, revise el ", False), ("DNS", True)]
