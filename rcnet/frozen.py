"""Frozen dataclasses that are quick to define and to build, and a lock-free cached property.

`record` makes a class what `dataclasses.dataclass(frozen=True)` (with `order=True` if asked)
makes of it: same fields, `__init__` signature, defaults and default factories, `__post_init__`
call, `__repr__`, `__eq__`, ordering, `__hash__`, `__match_args__`, `__doc__` and
FrozenInstanceError messages; `dataclasses.fields`, `replace`, `asdict`, `is_dataclass` and
`typing.get_type_hints` work as on any dataclass. It is quicker twice over:

- to define: `dataclasses` compiles five or six methods per class from generated source with
  `exec`, which was most of the time `rcnet check` spent importing rcnet (some 50 classes on its
  path). `record` lets `dataclasses` collect the fields but compiles only the `__init__`; the
  other methods are closures of shared functions over the class's field names
  (`operator.attrgetter` of the compared fields for `__eq__`, ordering and `__hash__`).
- to build: the frozen dataclass `__init__` stores every field with `object.__setattr__` (its
  own `__setattr__` refuses), about four times the cost of a plain store, and objects are made
  once or more per rc.conf line (locations, values, words, calls, addresses). `record`'s
  `__init__` stores into the instance's `__dict__` directly.

Classes it cannot copy exactly (slots, InitVar or ClassVar pseudo-fields, a field named
`self` or `_q...`) are refused when the module is imported. A record class that derives from
another dataclass keeps the `__setattr__`/`__delattr__` that `dataclasses` makes (it checks
that the bases are frozen too). tests/build/test_frozen.py builds every record class again
with `dataclasses.dataclass(frozen=True)` from the same class body and compares the two.

Imports nothing of rcnet.
"""

from __future__ import annotations

import _thread
import abc
import dataclasses
import inspect
import operator
import sys
from collections.abc import Callable
from typing import Any, Generic, TypeVar, dataclass_transform, overload

T = TypeVar("T")
R = TypeVar("R")
#: obj -> the tuple of some of its fields
Key = Callable[[Any], tuple[Any, ...]]

#: every record class -> its class body as written (what the tests give `dataclasses`)
BODIES: dict[type, dict[str, Any]] = {}

#: the default `dataclasses` shows for a field with a default factory (`<factory>`): the same
#: object, so that the signature and the generated `__doc__` are the same too
_FACTORY: Any = dataclasses._HAS_DEFAULT_FACTORY  # type: ignore[attr-defined]

#: ordering methods of `order=True`, with their operators
_ORDER = (
    ("__lt__", operator.lt),
    ("__le__", operator.le),
    ("__gt__", operator.gt),
    ("__ge__", operator.ge),
)


@overload
def record(cls: type[T], /) -> type[T]: ...
@overload
def record(*, order: bool = False) -> Callable[[type[T]], type[T]]: ...
@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(cls: type[T] | None = None, /, *, order: bool = False) -> Any:
    """`@dataclass(frozen=True)`, or `@dataclass(frozen=True, order=True)` as
    `@record(order=True)`, quicker to define and to build (see the module's doc)."""

    def wrap(cls: type[T]) -> type[T]:
        return _record(cls, order)

    return wrap if cls is None else wrap(cls)


def _record(cls: type[T], order: bool) -> type[T]:
    if "__slots__" in cls.__dict__:
        raise TypeError(f"record: {cls.__name__} has __slots__ (its __init__ fills __dict__)")
    body = {k: v for k, v in cls.__dict__.items() if k not in ("__dict__", "__weakref__")}
    # what dataclasses decides from the class as written
    derived = hasattr(cls, "__dataclass_fields__")
    own_hash = cls.__dict__.get("__hash__", dataclasses.MISSING)
    explicit_hash = not (
        own_hash is dataclasses.MISSING or (own_hash is None and "__eq__" in cls.__dict__)
    )
    documented = bool(cls.__doc__)
    if not documented:
        cls.__doc__ = "-"  # made below, from the signature of the __init__ made below
    # dataclasses collects the fields (and checks them) and sets __match_args__, compiling
    # nothing; but given frozen=False, it refuses a frozen dataclass base: a derived class
    # asks for frozen=True, so dataclasses checks its bases and makes __setattr__/__delattr__
    dataclasses.dataclass(cls, init=False, repr=False, eq=False, frozen=derived)
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    params.init = params.repr = params.eq = params.frozen = True
    params.order = order
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    names = tuple(f.name for f in fields)
    if len(fields) != len(cls.__dataclass_fields__):  # type: ignore[attr-defined]
        raise TypeError(f"record: {cls.__name__} has InitVar or ClassVar pseudo-fields")
    if "self" in names or any(n.startswith("_q") for n in names):
        raise TypeError(f"record: {cls.__name__} has a field named self or _q...")

    if "__init__" not in cls.__dict__:
        _add(cls, "__init__", _init(cls, fields))
    _add(cls, "__repr__", _repr(tuple(f.name for f in fields if f.repr)))
    compared = _key([f.name for f in fields if f.compare])
    _add(cls, "__eq__", _compare(operator.eq, compared))
    for name, op in _ORDER if order else ():
        if _add(cls, name, _compare(op, compared)):
            raise TypeError(
                f"Cannot overwrite attribute {name} in class {cls.__name__}. "
                "Consider using functools.total_ordering"
            )
    if not derived:  # else dataclasses made them
        for method in _frozen(cls, names):
            if _add(cls, method.__name__, method):
                raise TypeError(
                    f"Cannot overwrite attribute {method.__name__} in class {cls.__name__}"
                )
    if not explicit_hash:
        hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
        cls.__hash__ = _named(cls, "__hash__", _hash(_key(hashed)))  # type: ignore[method-assign]
    if not documented:
        try:
            signature = str(inspect.signature(cls)).replace(" -> None", "")
        except (TypeError, ValueError):
            signature = ""
        cls.__doc__ = cls.__name__ + signature
    abc.update_abstractmethods(cls)
    BODIES[cls] = body
    return cls


def _named(cls: type, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    function.__name__ = name
    function.__qualname__ = f"{cls.__qualname__}.{name}"
    return function


def _add(cls: type, name: str, function: Callable[..., Any]) -> bool:
    """Set the method unless the class defines it (then say so), as dataclasses does."""
    if name in cls.__dict__:
        return True
    setattr(cls, name, _named(cls, name, function))
    return False


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    """The `__init__` dataclasses would make, storing into `__dict__`."""
    positional: list[str] = []
    keyword: list[str] = []
    annotations: dict[str, Any] = {}
    lines: list[str] = []
    defaults: dict[str, Any] = {}
    seen_default = False
    for f in fields:
        has_default = f.default is not dataclasses.MISSING
        if f.default_factory is not dataclasses.MISSING:
            has_default = True
            defaults["_qFACTORY"] = _FACTORY
            defaults[f"_qfactory_{f.name}"] = f.default_factory
            value = f"_qfactory_{f.name}()"
            if f.init:
                value = f"{value} if {f.name} is _qFACTORY else {f.name}"
            param = f"{f.name}=_qFACTORY"
        elif f.init:
            value = param = f.name
            if has_default:
                defaults[f"_qdefault_{f.name}"] = f.default
                param = f"{f.name}=_qdefault_{f.name}"
        else:
            continue  # as in dataclasses: the class attribute (if any) provides it
        lines.append(f"        _qd[{f.name!r}] = {value}")
        if not f.init:
            continue
        if not f.kw_only:
            if has_default:
                seen_default = True
            elif seen_default:
                raise TypeError(f"non-default argument {f.name!r} follows default argument")
        (keyword if f.kw_only else positional).append(param)
        annotations[f.name] = f.type
    annotations = {
        name: annotations[name] for name in [p.split("=")[0] for p in positional + keyword]
    }
    annotations["return"] = None
    if hasattr(cls, "__post_init__"):
        lines.append("        self.__post_init__()")
    # as dataclasses does: the __init__ is made inside a function whose parameters are the
    # defaults, run with the class's module as globals, so the function's __module__ and
    # __globals__ are the module's and its string annotations resolve (typing.get_type_hints)
    params = ["self", *positional, *(["*", *keyword] if keyword else [])]
    source = "\n".join(
        [
            f"def __create_fn__({', '.join(defaults)}):",
            f"    def __init__({', '.join(params)}):",
            "        _qd = self.__dict__",
            *lines,
            "    return __init__",
        ]
    )
    module = sys.modules.get(cls.__module__)
    namespace: dict[str, Any] = {}
    exec(source, module.__dict__ if module else {}, namespace)
    init: Callable[..., None] = namespace["__create_fn__"](**defaults)
    init.__annotations__ = annotations
    return init


def _key(names: list[str]) -> Key:
    """obj -> the tuple of those fields (dataclasses compares and hashes such tuples)."""
    if len(names) > 1:
        return operator.attrgetter(*names)
    if names:
        get = operator.attrgetter(names[0])
        return lambda obj: (get(obj),)
    return lambda obj: ()


def _compare(op: Callable[[Any, Any], Any], key: Key) -> Callable[..., Any]:
    def compare(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return op(key(self), key(other))
        return NotImplemented

    return compare


def _hash(key: Key) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _repr(names: tuple[str, ...]) -> Callable[[Any], str]:
    running: set[tuple[int, int]] = set()  # as dataclasses: "..." for a recursive repr

    def __repr__(self: Any) -> str:
        key = (id(self), _thread.get_ident())
        if key in running:
            return "..."
        running.add(key)
        try:
            shown = ", ".join([f"{name}={getattr(self, name)!r}" for name in names])
            return f"{self.__class__.__qualname__}({shown})"
        finally:
            running.discard(key)

    return __repr__


def _frozen(cls: Any, names: tuple[str, ...]) -> tuple[Callable[..., None], Callable[..., None]]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __setattr__, __delattr__


class cached(Generic[R]):
    """functools.cached_property without its lock (Python 3.12 dropped the lock too): the
    value is computed on first access and stored in the instance's `__dict__`, where later
    reads find it without calling anything. Python 3.11's lock cost more than the values
    cached here (an address's interface and network, read once or twice each)."""

    def __init__(self, func: Callable[[Any], R]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached[R]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> R: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> R | cached[R]:
        if instance is None:
            return self
        value = self.func(instance)
        instance.__dict__[self.name] = value
        return value
