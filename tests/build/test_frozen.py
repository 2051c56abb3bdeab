"""rcnet.frozen's `record` makes of every class what `dataclasses.dataclass(frozen=True)` makes
of the same class body (issue 8: compiling the dataclass methods was most of the time `check`
spent importing rcnet, and the frozen dataclass `__init__` a tenth of its time on a large file);
`cached` behaves as functools.cached_property.

Every record class (all of rcnet's, and the edge cases below) is built a second time by
`dataclasses` from the class body `record` was given; the two classes and objects built by both
from the same arguments must agree on everything dataclasses defines: signature and defaults,
`__dict__`, ==, hash, ordering, repr, fields, replace, asdict, FrozenInstanceError."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import ipaddress
import operator
import pkgutil
import types
import typing
from collections.abc import Callable
from dataclasses import field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rcnet
from rcnet.frozen import BODIES, cached, record
from rcnet.model import Address

# every module of rcnet, so that every record class is in BODIES
for _module in pkgutil.walk_packages(rcnet.__path__, "rcnet."):
    if not _module.name.endswith("__main__"):
        importlib.import_module(_module.name)


# edge cases dataclasses handles and rcnet's classes may not (yet) use
@record
class Empty:
    pass


@record
class One:
    a: Any


@record
class Flags:
    a: Any
    #: compared and hashed by neither
    b: Any = field(default=None, compare=False, repr=False)
    #: hashed though not compared
    c: Any = field(default=0, compare=False, hash=True)
    #: compared though not hashed
    d: Any = field(default=1, hash=False)
    e: list[Any] = field(default_factory=list)
    f: Any = field(default=2, init=False)
    g: list[Any] = field(default_factory=list, init=False)
    h: Any = field(default=3, kw_only=True)
    i: Any = field(kw_only=True, default=None, metadata={"m": 1})


@record(order=True)
class Ordered:
    a: Any
    b: Any = field(default=0, compare=False)


@record
class Base:
    """Documented."""

    a: Any
    b: Any = 0


@record
class Derived(Base):
    c: Any = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "seen", self.a)


@record
class OwnMethods:
    a: Any

    def __repr__(self) -> str:
        return "own"

    def __hash__(self) -> int:
        return 7


class Plain(Base):
    """Not a dataclass: assigning other names than fields is allowed, as with dataclasses."""


CLASSES = sorted(BODIES, key=lambda c: f"{c.__module__}.{c.__qualname__}")
REFERENCES: dict[type, type] = {}


def reference(cls: type) -> type:
    """What dataclasses makes of the class body `record` was given."""
    if cls not in REFERENCES:
        body = dict(BODIES[cls], __qualname__=cls.__qualname__)
        bases = tuple(reference(b) if b in BODIES else b for b in cls.__bases__)
        order = cls.__dataclass_params__.order  # type: ignore[attr-defined]
        made = dataclasses.dataclass(frozen=True, order=order)(type(cls)(cls.__name__, bases, body))
        REFERENCES[cls] = made
    return REFERENCES[cls]


def outcome(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """What a call returns, or the exception it raises (type and message)."""
    try:
        return ("returns", func(*args, **kwargs))
    except Exception as e:
        return ("raises", type(e), str(e))


def describe(f: dataclasses.Field[Any]) -> tuple[Any, ...]:
    return (f.name, f.type, f.default, f.default_factory, f.init, f.repr, f.hash, f.compare,
            f.metadata, f.kw_only, f._field_type)  # type: ignore[attr-defined]  # fmt: skip


def test_every_class_is_checked() -> None:
    """The hot classes and every frozen dataclass of rcnet with a __dict__ are record classes."""
    names = {c.__qualname__ for c in CLASSES}
    assert {"Location", "Value", "Word", "Call", "AddressSpec", "Address", "Placed"} <= names
    frozen = {
        value
        for module in list(__import__("sys").modules.values())
        if getattr(module, "__name__", "").startswith("rcnet")
        for value in vars(module).values()
        if isinstance(value, type)
        and dataclasses.is_dataclass(value)
        and value.__dataclass_params__.frozen  # type: ignore[attr-defined]
        and "__slots__" not in value.__dict__
        and value.__module__.startswith("rcnet")
    }
    assert len(frozen) > 60
    assert frozen <= set(BODIES)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
def test_same_class(cls: type) -> None:
    ref = reference(cls)
    assert inspect.signature(cls.__init__) == inspect.signature(ref.__init__)
    assert outcome(typing.get_type_hints, cls.__init__) == outcome(
        typing.get_type_hints, ref.__init__
    )
    assert [describe(f) for f in dataclasses.fields(cls)] == [
        describe(f) for f in dataclasses.fields(ref)
    ]
    assert cls.__doc__ == ref.__doc__
    assert cls.__match_args__ == ref.__match_args__  # type: ignore[attr-defined]
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    ref_params = ref.__dataclass_params__  # type: ignore[attr-defined]
    assert [getattr(params, s) for s in type(params).__slots__] == [
        getattr(ref_params, s) for s in type(ref_params).__slots__
    ]
    for name in (
        "__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__",
        "__lt__", "__le__", "__gt__", "__ge__",
    ):  # fmt: skip
        assert (name in cls.__dict__) == (name in ref.__dict__), name
        method, ref_method = getattr(cls, name), getattr(ref, name)
        assert (method is None) == (ref_method is None), name
        assert getattr(method, "__qualname__", None) == getattr(ref_method, "__qualname__", None)
    assert cls.__init__.__module__ == cls.__module__
    for f in dataclasses.fields(cls):  # defaults stay as class attributes
        missing = dataclasses.MISSING
        assert cls.__dict__.get(f.name, missing) == ref.__dict__.get(f.name, missing)


#: what a field may hold here: the __init__ only stores it (a __post_init__ may read .name)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.text(max_size=2),
    st.tuples(st.integers(0, 1)),
    st.lists(st.integers(0, 1), max_size=1),
    st.builds(types.SimpleNamespace, name=st.text(max_size=2)),
)


def draw_value(data: st.DataObject, name: str) -> Any:
    if name == "keyword":  # Setting's __post_init__ reads keyword.name
        return types.SimpleNamespace(name=data.draw(st.text(max_size=2)))
    return data.draw(VALUES)


def build(cls: type, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return outcome(lambda: cls(*args, **kwargs))


def same_hash(a: Any, b: Any) -> bool:
    return hash(a) == hash(b)


def same_object(obj: Any, ref_obj: Any) -> None:
    assert list(obj.__dict__.items()) == list(ref_obj.__dict__.items())
    assert repr(obj) == repr(ref_obj)
    assert outcome(hash, obj) == outcome(hash, ref_obj)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_same_objects(cls: type, data: st.DataObject) -> None:
    ref = reference(cls)
    params = list(inspect.signature(ref.__init__).parameters.values())[1:]
    # arguments: some left out (their default), some given by keyword
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for p in params:
        if p.default is not inspect.Parameter.empty and data.draw(st.booleans()):
            continue
        value = draw_value(data, p.name)
        if kwargs or p.kind is p.KEYWORD_ONLY or data.draw(st.booleans()):
            kwargs[p.name] = value
        else:
            args.append(value)
    made, ref_made = build(cls, args, kwargs), build(ref, args, kwargs)
    assert made[0] == ref_made[0]
    if made[0] == "raises":
        assert made == ref_made
        return
    obj, ref_obj = made[1], ref_made[1]
    same_object(obj, ref_obj)
    assert obj == cls(*args, **kwargs)
    assert cls.__eq__(obj, ref_obj) is NotImplemented  # other classes: not ours to compare
    assert ref.__eq__(ref_obj, obj) is NotImplemented
    assert dataclasses.asdict(obj) == dataclasses.asdict(ref_obj)
    assert dataclasses.astuple(obj) == dataclasses.astuple(ref_obj)

    # each argument changed alone: ==, hash and order agree field by field
    compares = [operator.eq, operator.ne]
    if cls.__dataclass_params__.order:  # type: ignore[attr-defined]
        compares += [operator.lt, operator.le, operator.gt, operator.ge]
    given_all = dict(zip([p.name for p in params], args, strict=False), **kwargs)
    for p in params:
        other = draw_value(data, p.name)
        changed = dict(given_all, **{p.name: other})
        variant, ref_variant = build(cls, [], changed), build(ref, [], changed)
        assert variant[0] == ref_variant[0] == "returns"
        for op in compares:
            assert outcome(op, obj, variant[1]) == outcome(op, ref_obj, ref_variant[1]), op
        hashes = outcome(same_hash, obj, variant[1])
        assert hashes == outcome(same_hash, ref_obj, ref_variant[1])
        replaced = outcome(dataclasses.replace, obj, **{p.name: other})
        ref_replaced = outcome(dataclasses.replace, ref_obj, **{p.name: other})
        assert replaced[0] == ref_replaced[0] == "returns"
        same_object(replaced[1], ref_replaced[1])

    # frozen: the same refusals, for fields and other names alike
    for name in [f.name for f in dataclasses.fields(cls)] + ["not_a_field"]:
        value = draw_value(data, name)
        assert outcome(setattr, obj, name, value) == outcome(setattr, ref_obj, name, value)
        assert outcome(delattr, obj, name) == outcome(delattr, ref_obj, name)
    same_object(obj, ref_obj)


def test_a_plain_subclass_may_set_other_names() -> None:
    plain = Plain(1)
    plain.other = 2  # type: ignore[attr-defined]
    del plain.other  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'a'"):
        plain.a = 3  # type: ignore[misc]
    assert repr(plain) == "Plain(a=1, b=0)"
    assert plain != Base(1)  # other class
    assert Derived(1).seen == 1  # type: ignore[attr-defined]


def test_repr_of_a_recursive_object() -> None:
    loop: list[Any] = []
    one = One(loop)
    loop.append(one)
    assert repr(one) == "One(a=[...])"


def test_what_dataclasses_refuses_record_refuses() -> None:
    @dataclasses.dataclass
    class Mutable:
        a: int

    with pytest.raises(TypeError, match="cannot inherit frozen dataclass from a non-frozen one"):
        record(type("Sub", (Mutable,), {"__annotations__": {"b": "int"}}))
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        record(type("Late", (), {"__annotations__": {"a": "int", "b": "int"}, "a": 1}))
    with pytest.raises(TypeError, match="Cannot overwrite attribute __setattr__"):
        record(type("Own", (), {"__annotations__": {"a": "int"}, "__setattr__": setattr}))
    with pytest.raises(TypeError, match="Cannot overwrite attribute __lt__"):
        record(order=True)(type("Lt", (), {"__annotations__": {}, "__lt__": operator.lt}))


def test_classes_it_cannot_copy_are_refused() -> None:
    slotted = type("Slotted", (), {"__annotations__": {"a": "int"}, "__slots__": ("a",)})
    init_var = type("WithInitVar", (), {"__annotations__": {"a": dataclasses.InitVar[int]}})
    named = type("Named", (), {"__annotations__": {"self": "int"}})
    for cls in (slotted, init_var, named):
        with pytest.raises(TypeError, match=r"^record: "):
            record(cls)


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
