"""Frozen dataclasses that are quick to build, and a lock-free cached property.

A frozen dataclass's generated `__init__` stores every field with `object.__setattr__` (its
own `__setattr__` refuses), about four times the cost of a plain store: for the objects made
once or more per rc.conf line (locations, values, words, calls, addresses) that was a tenth of
`check`'s time on a large file. `quick_init` gives such a class an `__init__` that stores
into the instance's `__dict__` directly. The dataclass stays the one definition: the new
`__init__` is generated from its fields (same parameters, defaults and `__post_init__` call),
and the class stays frozen, hashable and comparable as before (assignment after `__init__`
still raises FrozenInstanceError). Classes it cannot copy exactly (slots, default factories,
keyword-only fields, InitVars) are refused when the module is imported.
tests/build/test_frozen.py proves both `__init__`s build equal objects.

Imports nothing of rcnet.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")
R = TypeVar("R")

#: every class given a quick __init__ -> the __init__ dataclasses made for it (the tests
#: build each class both ways)
REPLACED: dict[type, Callable[..., None]] = {}


def quick_init(cls: type[T]) -> type[T]:
    """Replace a frozen dataclass's `__init__` by an equal one that is quicker."""
    REPLACED[cls] = original = cls.__init__
    init = _generated_init(cls)
    init.__annotations__ = dict(original.__annotations__)
    cls.__init__ = init  # type: ignore[method-assign]
    return cls


def _generated_init(cls: type[Any]) -> Callable[..., None]:
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" in cls.__dict__:
        raise TypeError(f"quick_init: {cls.__name__} is not a frozen dataclass with a __dict__")
    fields = dataclasses.fields(cls)
    if len(fields) != len(cls.__dataclass_fields__):
        raise TypeError(f"quick_init: {cls.__name__} has InitVar or ClassVar pseudo-fields")
    args: list[str] = []
    body: list[str] = []
    defaults: dict[str, Any] = {}
    for f in fields:
        if f.name.startswith("_q") or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"quick_init: {cls.__name__}.{f.name} cannot be copied")
        if not f.init:
            continue  # as in dataclasses: the class attribute (or __post_init__) provides it
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            defaults[f"_qdefault_{f.name}"] = f.default
            args.append(f"{f.name}=_qdefault_{f.name}")
        body.append(f"    _qd[{f.name!r}] = {f.name}")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    # as dataclasses does: the __init__ is made inside a function whose parameters are the
    # defaults, run with the class's module as globals, so the function's __module__ and
    # __globals__ are the module's and its string annotations resolve (typing.get_type_hints)
    source = "\n".join(
        [
            f"def __create_fn__({', '.join(defaults)}):",
            f"    def __init__(self, {', '.join(args)}):",
            "        _qd = self.__dict__",
            *(f"    {line}" for line in body),
            "    return __init__",
        ]
    )
    namespace: dict[str, Any] = {}
    exec(source, sys.modules[cls.__module__].__dict__, namespace)
    init: Callable[..., None] = namespace["__create_fn__"](**defaults)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


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
