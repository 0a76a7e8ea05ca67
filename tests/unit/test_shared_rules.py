"""One source for the rules several parts repeat: the portal's form limits and its status names
must be the layer's (helpdesk.domain.limits / labels), its two catalogues must have the same keys,
and the mail catalogue must name statuses as the website does. Each fails when one side changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpdesk.domain import limits
from helpdesk.domain.attributes import TAG_PATTERN, Priority
from helpdesk.domain.labels import STATUS_LABELS
from helpdesk.domain.status_machine import Status
from helpdesk.mail.catalog import CATALOGS

PORTAL = Path(__file__).resolve().parents[2] / "portal"
_ENTRY = re.compile(r"""^\s*'([^']+)'\s*:\s*'((?:[^'\\]|\\.)*)'""", re.MULTILINE)


def catalogue(language: str) -> dict[str, str]:
    return dict(_ENTRY.findall((PORTAL / "i18n" / f"{language}.js").read_text(encoding="utf-8")))


def constant(view: str, name: str) -> int:
    found = re.search(
        rf"\b(?:export )?const {name} = ([0-9_]+);", (PORTAL / "views" / view).read_text(encoding="utf-8")
    )
    assert found, f"{view} defines no {name}"
    return int(found.group(1).replace("_", ""))


@pytest.mark.parametrize(
    ("view", "name", "limit"),
    [
        ("new-ticket.js", "SUBJECT_MAX", limits.MAX_SUBJECT),
        ("new-ticket.js", "BODY_MAX", limits.MAX_BODY),
        ("ticket.js", "BODY_MAX", limits.MAX_BODY),
        ("canned.js", "TITLE_MAX", limits.MAX_CANNED_TITLE),
        ("canned.js", "BODY_MAX", limits.MAX_CANNED_BODY),
        ("rating.js", "COMMENT_MAX", limits.MAX_RATING_COMMENT),
        ("ticket-attributes.js", "TAGS_MAX", limits.MAX_TAGS),
        ("ticket-attributes.js", "TAG_LENGTH_MAX", limits.MAX_TAG_LENGTH),
    ],
)
def test_the_portals_form_limits_are_the_layers(view, name, limit):
    assert constant(view, name) == limit


def test_the_portal_knows_the_layers_tag_rule_and_priorities():
    source = (PORTAL / "views" / "ticket-attributes.js").read_text(encoding="utf-8")
    pattern = re.search(r"const TAG_PATTERN = /(.+)/;", source)
    assert pattern, "ticket-attributes.js defines no TAG_PATTERN"
    assert pattern.group(1) == TAG_PATTERN
    priorities = re.search(r"const PRIORITIES = \[([^\]]*)\];", source)
    assert priorities, "ticket-attributes.js defines no PRIORITIES"
    assert re.findall(r"'([a-z]+)'", priorities.group(1)) == sorted(Priority, key=lambda p: p.rank)


def test_the_portals_two_catalogues_have_the_same_keys():
    es, en = catalogue("es"), catalogue("en")
    assert len(es) > 50  # the pattern still reads the catalogue
    assert sorted(set(es) ^ set(en)) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_portal_names_statuses_as_the_layer_does(language):
    names = catalogue(language)
    assert {s: names[f"status.{s.value}"] for s in Status} == STATUS_LABELS[language]


def test_the_spanish_mail_names_statuses_as_the_layer_does():
    # The English mail says "Waiting for your reply" on purpose: a mail has no page around it.
    assert {s: CATALOGS["es"][f"status_{s.value}"] for s in Status} == STATUS_LABELS["es"]


def test_the_portals_subject_hint_states_the_limit():
    for language in ("es", "en"):
        assert str(limits.MAX_SUBJECT) in catalogue(language)["field.subject.invalid"]


def test_the_portal_fills_the_placeholders_the_layer_accepts():
    from helpdesk.domain.canned import PLACEHOLDERS

    source = (PORTAL / "views" / "canned.js").read_text(encoding="utf-8")
    found = re.search(r"export const PLACEHOLDERS = \[([^\]]*)\];", source)
    assert found, "canned.js lists its placeholders"
    assert tuple(re.findall(r"'(\w+)'", found.group(1))) == PLACEHOLDERS


def test_the_portals_tag_sentences_state_the_limits():
    for language in ("es", "en"):
        names = catalogue(language)
        assert str(limits.MAX_TAG_LENGTH) in names["attributes.tagTooLong"]
        assert str(limits.MAX_TAGS) in names["attributes.tooManyTags"]
