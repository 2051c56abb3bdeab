"""rcnet.frozen's quick __init__ builds exactly what the dataclass's own __init__ builds, for
every class that has one, and `cached` behaves as functools.cached_property (issue 8: the
frozen dataclasses made per rc.conf line cost a tenth of check's time)."""

from __future__ import annotations

import dataclasses
import inspect
import ipaddress
import types
import typing
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rcnet.build  # noqa: F401 - imports every front-end class that has a quick __init__
from rcnet.frozen import REPLACED, cached, quick_init
from rcnet.model import Address

CLASSES = sorted(REPLACED, key=lambda c: f"{c.__module__}.{c.__qualname__}")

#: what a field may hold here: the __init__ only stores it (a __post_init__ may read .name)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=5),
    st.tuples(st.integers()),
    st.builds(types.SimpleNamespace, name=st.text(max_size=3)),
)


def test_the_hot_classes_have_a_quick_init() -> None:
    names = {c.__qualname__ for c in CLASSES}
    assert {"Location", "Value", "Word", "Call", "AddressSpec", "Address", "Placed"} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
def test_same_signature(cls: type) -> None:
    assert inspect.signature(cls.__init__) == inspect.signature(REPLACED[cls])
    assert cls.__init__.__qualname__ == REPLACED[cls].__qualname__


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
def test_type_hints_resolve_as_before(cls: type) -> None:
    """The quick __init__ lives in the class's module, as the dataclass's did: its string
    annotations resolve (found in review: they raised NameError)."""
    assert cls.__init__.__module__ == cls.__module__
    assert typing.get_type_hints(cls.__init__) == typing.get_type_hints(REPLACED[cls])


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_quick_init_equals_the_dataclass_init(cls: type, data: st.DataObject) -> None:
    params = [p for p in inspect.signature(REPLACED[cls]).parameters.values()][1:]
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    keyword = False
    for p in params:
        if p.default is not inspect.Parameter.empty and data.draw(st.booleans()):
            keyword = True  # left out: its default
            continue
        value = data.draw(VALUES)
        if p.name == "keyword":
            value = types.SimpleNamespace(name=data.draw(st.text(max_size=3)))
        if keyword or data.draw(st.booleans()):
            kwargs[p.name] = value
            keyword = True
        else:
            args.append(value)
    slow = cls.__new__(cls)
    REPLACED[cls](slow, *args, **kwargs)
    quick = cls(*args, **kwargs)
    assert list(quick.__dict__.items()) == list(slow.__dict__.items())
    for f in dataclasses.fields(cls):
        assert getattr(quick, f.name) is getattr(slow, f.name)
    assert repr(quick) == repr(slow)


def test_still_frozen_and_hashable() -> None:
    a = Address("inet", ipaddress.IPv4Address("10.0.0.1"), 24)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.prefixlen = 8  # type: ignore[misc]
    assert a == Address("inet", ipaddress.IPv4Address("10.0.0.1"), 24)
    assert hash(a) == hash(Address("inet", ipaddress.IPv4Address("10.0.0.1"), 24))
    with pytest.raises(TypeError):
        Address("inet")  # type: ignore[call-arg]


def test_classes_it_cannot_copy_are_refused() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        a: int

    @dataclasses.dataclass(frozen=True)
    class Factory:
        a: list[int] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass
    class Mutable:
        a: int

    for cls in (Slotted, Factory, Mutable):
        with pytest.raises(TypeError):
            quick_init(cls)


def test_cached_computes_once_and_stores_in_the_instance() -> None:
    calls: list[int] = []

    class Holder:
        @cached
        def value(self) -> int:
            calls.append(1)
            return 42

    h = Holder()
    assert (h.value, h.value) == (42, 42)
    assert calls == [1]
    assert h.__dict__ == {"value": 42}
    assert isinstance(Holder.__dict__["value"], cached)
    a = Address("inet", ipaddress.IPv4Address("10.0.0.1"), 24)
    assert a.interface == ipaddress.ip_interface("10.0.0.1/24")
    assert a.network == ipaddress.ip_network("10.0.0.0/24")
