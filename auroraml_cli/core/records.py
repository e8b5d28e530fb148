"""Typed records that cost nothing to define: what `@dataclass` gives, without generating code.

A dataclass writes and compiles its `__init__`, `__eq__`, `__repr__` (and `__setattr__` when
frozen) as each class is created: about 0.5 ms a class, a fifth of an offline `auroraml ddl`'s
own start-up across the dozen records it loads. A record here declares its fields as
`__slots__` (in order, with their types annotated) and writes its `__init__` out; equality,
`repr` and, for a `Frozen` one, hashing and immutability come from these bases, as a
dataclass's would: equal when of the same class with equal fields, `Name(field=value, ...)`.
"""

from __future__ import annotations

from typing import Any


class Record:
    """A mutable record: compared and shown by its fields (`__slots__`); unhashable, like a dataclass."""

    __slots__: tuple[str, ...] = ()
    _unshown: tuple[str, ...] = ()  # fields left out of repr (a dataclass's `field(repr=False)`): callables

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__ if name not in self._unshown)
        return f"{self.__class__.__qualname__}({fields})"


class Frozen(Record):
    """An immutable record: set once by `_init`, hashable by its fields."""

    __slots__ = ()

    def _init(self, *values: Any) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {self.__class__.__qualname__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {self.__class__.__qualname__} is immutable")

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle set the fields as _init does
        return _rebuild, (self.__class__, self._values())


def _rebuild(cls: type[Frozen], values: tuple[Any, ...]) -> Frozen:
    record = object.__new__(cls)
    record._init(*values)
    return record
