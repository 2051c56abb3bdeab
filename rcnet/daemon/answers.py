"""The client's one decoder of the daemon's answers: a schema per request, checked before any
command uses an answer.

A control socket is not trusted blindly (issue 12): whatever answers there may send anything.
`ask` sends one request (control.request: owner checked, read bounded in size and time) and
checks the answer against the request's schema: every field a command reads is present with
its type (an address parses, a state is a CARP state), other fields are dropped. A malformed
answer raises BadAnswer, whose text says what was wrong where (`vhids[0].advbase: not an
integer`), values quoted with control characters escaped; the commands print it as one line
and exit 3 (spec/cli.md: no rcnet daemon answers there).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Mapping
from typing import Any

from rcnet.frozen import record
from rcnet.text import escape

#: a check: (value, where) -> the value as the commands may use it, or BadAnswer
Check = Callable[[Any, str], Any]

STATES = ("INIT", "BACKUP", "MASTER")


class BadAnswer(ValueError):
    """The answer is not what an rcnet daemon sends for this request."""


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return escape(text if len(text) <= 40 else text[:37] + "...")


def _fail(where: str, what: str, value: Any) -> BadAnswer:
    return BadAnswer(f"{where or 'the answer'}: {what}, not {_show(value)}")


#: no figure of the daemon comes near it (counters are u64 at most); JSON allows any length of
#: digits, and float() of a 400-digit integer raises OverflowError
_LIMIT = 2**64


def _int(value: Any, where: str) -> int:
    if type(value) is not int:
        raise _fail(where, "not an integer", value)
    if abs(value) >= _LIMIT:
        raise _fail(where, "out of range", value)
    return value


def _number(value: Any, where: str) -> float:
    if type(value) not in (int, float) or value != value:  # NaN is not equal to itself
        raise _fail(where, "not a number", value)
    if abs(value) >= _LIMIT:  # inf included
        raise _fail(where, "out of range", value)
    return float(value)


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, "not a string", value)
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, "not true or false", value)
    return value


def _state(value: Any, where: str) -> str:
    if value not in STATES:
        raise _fail(where, f"not one of {', '.join(STATES)}", value)
    return str(value)


def _address(value: Any, where: str) -> str:
    try:
        ipaddress.ip_interface(_str(value, where))
    except ValueError:
        raise _fail(where, "not an address", value) from None
    return str(value)


def _optional(check: Check) -> Check:
    return lambda value, where: None if value is None else check(value, where)


def _list(check: Check) -> Check:
    def checked(value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise _fail(where, "not a list", value)
        return [check(item, f"{where}[{i}]") for i, item in enumerate(value)]

    return checked


def _map(check: Check) -> Check:
    def checked(value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _fail(where, "not an object", value)
        return {str(k): check(v, f"{where}.{escape(str(k))}") for k, v in value.items()}

    return checked


def _object(required: Mapping[str, Check], optional: Mapping[str, Check] | None = None) -> Check:
    """An object with these fields (optional ones may be absent); any other field is dropped."""
    optional = optional or {}

    def checked(value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _fail(where, "not an object", value)
        out: dict[str, Any] = {}
        for name, check in (*required.items(), *optional.items()):
            inner = f"{where}.{name}" if where else name
            if name in value:
                out[name] = check(value[name], inner)
            elif name in required:
                raise BadAnswer(f"{inner}: missing")
        return out

    return checked


#: one vhid of the status answer: VhidStatus.to_json and VhidStats.add_to
VHID = _object(
    {
        "vhid": _int,
        "interface": _str,
        "parent": _optional(_str),
        "state": _state,
        "advbase": _int,
        "advskew": _int,
        "addresses": _list(_address),
        "since": _number,
    },
    {
        "carpver": _int,
        "peer": _optional(_address),
        "peer6": _optional(_address),
        "vrrpprio": _int,
        "vrrpinterval": _int,
        "transitions": _map(_int),
        "adverts_sent": _int,
        "adverts_received": _int,
        "drops": _map(_int),
    },
)
STATUS = _object(
    {"vhids": _list(VHID), "counters": _map(_int)},
    {"host": _str, "links": _map(_str)},
)
LINES = _object({"lines": _list(_str)})
RELOADED = _object({"changes": _list(_str)})
FINDING = _object(
    {},
    {
        "file": _optional(_str),
        "line": _optional(_int),
        "column": _optional(_int),
        "severity": _optional(_str),
        "code": _optional(_str),
        "message": _optional(_str),
    },
)
REFUSED = _object({"error": _str}, {"findings": _list(FINDING)})

#: request -> the schema of its answer when the daemon did it ("ok": true)
SCHEMAS: dict[str, Check] = {
    "status": STATUS,
    "ifconfig": LINES,
    "sysctl": LINES,
    "stop": LINES,
    "reload": RELOADED,
}


@record
class Answer:
    """A checked answer: `ok` and the request's fields (REFUSED's when not ok)."""

    ok: bool
    body: dict[str, Any]


def decode(cmd: str, answer: Any) -> Answer:
    """The answer to request `cmd`, checked against its schema (BadAnswer when malformed)."""
    if not isinstance(answer, dict):
        raise _fail("", "not a JSON object", answer)
    ok = _bool(answer.get("ok"), "ok")
    return Answer(ok, (SCHEMAS[cmd] if ok else REFUSED)(answer, ""))


def ask(path: str, message: dict[str, Any], timeout: float = 10.0) -> Answer:
    """Send one request and return its checked answer. OSError when no daemon answers or the
    socket's server is not trusted; BadAnswer when the answer is malformed."""
    from rcnet.daemon.control import request

    try:
        raw = request(path, message, timeout)
    except ValueError as exc:  # not one line of JSON, or too long
        raise BadAnswer(str(exc)) from None
    return decode(str(message["cmd"]), raw)
