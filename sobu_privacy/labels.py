"""Enums whose members carry the Japanese label people read, next to the value that is stored."""
from __future__ import annotations

from enum import Enum
from typing import Type, TypeVar, Union

__all__ = ["LabelledEnum", "UnknownValue"]

E = TypeVar("E", bound="LabelledEnum")


class UnknownValue(ValueError):
    """A value that names none of the enum's members (by value or by Japanese label)."""


class LabelledEnum(str, Enum):
    """``MEMBER = ("stored value", "ラベル")``: the member is the value (a str), ``label`` is shown.

    ``parse`` accepts a member, its value or its label, so a form, an API field or a button
    payload may send either.
    """

    label: str

    def __new__(cls, value: str, label: str) -> "LabelledEnum":
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls: Type[E], value: Union[E, str]) -> E:
        if isinstance(value, cls):
            return value
        text = str(value).strip()
        for member in cls:
            if text in (member.value, member.label):
                return member
        raise UnknownValue(f"unknown {cls.__name__}")
