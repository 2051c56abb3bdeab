"""The vhid state machine's transitions as data: carp.md §4.3, with FreeBSD's reasons (the
words ip_carp.c logs). The vhost decides which event happened and consults TRANSITIONS."""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from rcnet.carp.actions import State

USER = "user requested via ifconfig"


class Event(Enum):
    SETRUN = "preconditions met"
    MASTER_DOWN = "master-down timer expired"
    PREEMPT = "slower master and preempt=1"
    WILL_TIME_OUT = "advert slower than our master-down interval"
    MORE_FREQUENT = "advert at least as frequent as ours"
    FORCE_MASTER = "state master"
    FORCE_BACKUP = "state backup"
    HW_DOWN = "parent down or allow=0"
    HW_UP = "parent up and allow=1"
    ADMIN_DOWN = "ifconfig down"
    ADMIN_UP = "ifconfig up"
    STOP = "graceful stop"


class Rule(NamedTuple):
    to: State
    reason: str
    #: a MASTER sends the bow-out advert before leaving
    bow_out: bool = False


INIT, BACKUP, MASTER = State.INIT, State.BACKUP, State.MASTER

#: carp.md §4.3 as data. INIT -> BACKUP rows also need the setrun preconditions.
TRANSITIONS: dict[tuple[State, Event], Rule] = {
    (INIT, Event.SETRUN): Rule(BACKUP, "initialization complete"),
    (BACKUP, Event.MASTER_DOWN): Rule(MASTER, "master timed out"),
    (BACKUP, Event.PREEMPT): Rule(MASTER, "preempting a slower master"),
    (BACKUP, Event.WILL_TIME_OUT): Rule(MASTER, "master will time out"),
    (MASTER, Event.MORE_FREQUENT): Rule(BACKUP, "more frequent advertisement received"),
    (BACKUP, Event.FORCE_MASTER): Rule(MASTER, USER),
    (MASTER, Event.FORCE_BACKUP): Rule(BACKUP, USER),
    (BACKUP, Event.HW_DOWN): Rule(INIT, "hardware interface down"),
    (MASTER, Event.HW_DOWN): Rule(INIT, "hardware interface down"),
    (INIT, Event.HW_UP): Rule(BACKUP, "hardware interface up"),
    (BACKUP, Event.ADMIN_DOWN): Rule(INIT, USER),
    (MASTER, Event.ADMIN_DOWN): Rule(INIT, USER, bow_out=True),
    (INIT, Event.ADMIN_UP): Rule(BACKUP, USER),
    (BACKUP, Event.STOP): Rule(INIT, USER),
    (MASTER, Event.STOP): Rule(INIT, USER, bow_out=True),
}
