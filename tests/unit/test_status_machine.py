"""The transition table itself: every action from every status, allowed or refused."""

import pytest

from helpdesk.domain.errors import InvalidTransition
from helpdesk.domain.status_machine import TRANSITIONS, Action, Status, Timer, check_allowed

O, W, C = Status.OPEN, Status.WAITING, Status.CLOSED  # noqa: E741 - one letter per status keeps the table readable

# action, from, expected target (None: refused; "same": status unchanged)
TABLE = [
    (Action.OPERATOR_REPLY, O, W), (Action.OPERATOR_REPLY, W, W), (Action.OPERATOR_REPLY, C, None),
    (Action.CUSTOMER_REPLY, O, O), (Action.CUSTOMER_REPLY, W, O), (Action.CUSTOMER_REPLY, C, O),
    (Action.INTERNAL_NOTE, O, "same"), (Action.INTERNAL_NOTE, W, "same"), (Action.INTERNAL_NOTE, C, "same"),
    (Action.ASSIGN, O, "same"), (Action.ASSIGN, W, "same"), (Action.ASSIGN, C, None),
    (Action.CLOSE, O, C), (Action.CLOSE, W, C), (Action.CLOSE, C, None),
    (Action.REOPEN, O, None), (Action.REOPEN, W, None), (Action.REOPEN, C, O),
    (Action.AUTO_CLOSE, O, None), (Action.AUTO_CLOSE, W, C), (Action.AUTO_CLOSE, C, None),
]  # fmt: skip


def test_the_table_covers_every_action_from_every_status():
    assert {(a, s) for a, s, _ in TABLE} == {(a, s) for a in Action for s in Status}


@pytest.mark.parametrize(("action", "current", "expected"), TABLE)
def test_transition(action, current, expected):
    if expected is None:
        with pytest.raises(InvalidTransition, match="NZ-00000001"):
            check_allowed(action, current, "NZ-00000001")
        return
    transition = check_allowed(action, current, "NZ-00000001")
    assert transition.to == (None if expected == "same" else expected)


def test_timer_rules():
    assert TRANSITIONS[Action.OPERATOR_REPLY].timer is Timer.START
    assert TRANSITIONS[Action.CUSTOMER_REPLY].timer is Timer.CLEAR
    assert TRANSITIONS[Action.INTERNAL_NOTE].timer is Timer.KEEP
    assert TRANSITIONS[Action.CLOSE].timer is Timer.CLEAR
    assert TRANSITIONS[Action.REOPEN].timer is Timer.CLEAR


def test_spanish_labels():
    assert [s.label for s in Status] == ["Abierto", "Espera", "Cerrado"]
