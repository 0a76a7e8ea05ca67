"""HTML mail bodies turned into the text an operator reads."""

from __future__ import annotations

import pytest

from helpdesk.mail.html_text import html_to_text


def test_head_scripts_and_styles_are_dropped() -> None:
    markup = (
        "<html><head><title>Asunto</title><style>p { color: red }</style>"
        "<script>alert('x')</script></head><body><p>Hola</p>"
        "<script type='text/javascript'>document.write('y')</script><template>z</template></body></html>"
    )

    assert html_to_text(markup) == "Hola"


def test_a_missing_head_end_tag_does_not_hide_the_body() -> None:
    assert html_to_text("<html><head><title>T</title><meta charset=utf-8><p>Hola</p>") == "Hola"


def test_blocks_and_line_breaks_become_lines_and_blank_lines_collapse() -> None:
    markup = (
        "<div>Hola,</div><div><br></div><div><br></div><p>El servidor <b>no</b>\n   arranca.<br>"
        "Gracias</p><p>&nbsp;</p><p></p><h2>Ana</h2><hr><div>Tel.&nbsp;912</div>"
    )

    assert html_to_text(markup) == "Hola,\n\nEl servidor no arranca.\nGracias\n\nAna\n\nTel. 912"


def test_list_items_and_table_cells() -> None:
    markup = (
        "<ul><li>Uno</li><li>Dos<ol><li>Dos.a</li></ol></li></ul>"
        "<table><tr><td>Plan</td><td>Pro</td></tr><tr><th>Precio</th><th>10 €</th></tr></table>"
    )

    assert html_to_text(markup) == "- Uno\n- Dos\n\n- Dos.a\n\nPlan Pro\nPrecio 10 €"


@pytest.mark.parametrize(
    ("link", "text"),
    [
        ('<a href="https://panel.netz0.example/x">el panel</a>', "el panel (https://panel.netz0.example/x)"),
        ('<a href="https://netz0.example/">https://netz0.example</a>', "https://netz0.example"),
        ('<a href="http://netz0.example">netz0.example</a>', "netz0.example"),
        ('<a href="mailto:ana@cliente.example">ana@cliente.example</a>', "ana@cliente.example"),
        ('<a href="mailto:ana@cliente.example">Ana</a>', "Ana (mailto:ana@cliente.example)"),
        ('<a href="javascript:alert(1)">pulse aquí</a>', "pulse aquí"),
        ('<a href="#arriba">arriba</a>', "arriba"),
        ('<a href="https://t.example/logo"><img src="cid:logo"></a>', ""),
        (
            '<a href="https://a.example">uno</a> y <a href="https://b.example">dos</a>',
            "uno (https://a.example) y dos (https://b.example)",
        ),
    ],
)
def test_links_show_where_they_go_when_the_text_does_not(link: str, text: str) -> None:
    assert html_to_text(f"<p>{link}</p>") == text


def test_entities_are_decoded() -> None:
    assert html_to_text("<p>&lt;b&gt; &amp; &quot;x&quot; &euro; &#241; &#x1F600; &bogus;</p>") == (
        '<b> & "x" € ñ 😀 &bogus;'
    )


def test_blockquotes_are_quoted_like_plain_text_replies() -> None:
    markup = "<p>Hecho.</p><blockquote><p>¿Ha reiniciado?</p><blockquote>Primera</blockquote></blockquote>"
    markup += "<p>Ana</p>"

    assert html_to_text(markup) == "Hecho.\n\n> ¿Ha reiniciado?\n>\n> > Primera\n\nAna"


def test_preformatted_text_keeps_its_spacing() -> None:
    assert html_to_text("<p>Log:</p><pre>a   b\n  c\n</pre><p>fin</p>") == "Log:\n\na   b\n  c\n\nfin"


@pytest.mark.parametrize(
    "markup", ["<p>Hola<![ x", "<p>Hola</p><!", "<p>Hola</p></", "<p>Hola<script>", "<p>Hola<a href"]
)
def test_malformed_markup_keeps_what_came_before(markup: str) -> None:
    assert html_to_text(markup).startswith("Hola")
