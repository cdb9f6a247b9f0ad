"""What a person can ask for under the policy (sections 5–7), who asks, and how the answer goes back.

The values are what is stored and sent between the parts; ``label`` is what customers and
staff read. Labels are spelled as the policy spells them (開示, 訂正, 追加, 削除, 利用停止, 消去).
"""
from __future__ import annotations

from enum import Enum
from typing import Dict, Type, TypeVar, Union

__all__ = ["UnknownValue", "RequestType", "RequesterKind", "DeliveryMethod"]

E = TypeVar("E", bound=Enum)


class UnknownValue(ValueError):
    """A value that names none of the enum's members (by value or by Japanese label)."""


def _parse(cls: Type[E], value: Union[E, str], labels: Dict[str, E]) -> E:
    if isinstance(value, cls):
        return value
    text = str(value).strip()
    if text in labels:
        return labels[text]
    try:
        return cls(text)
    except ValueError:
        raise UnknownValue(f"unknown {cls.__name__}") from None


class RequestType(str, Enum):
    """The request under APPI 第33–35条 (policy sections 5, 6 and 7).

    削除 (deletion, 第34条: the content is untrue) and 消去 (erasure, 第35条) are distinct.
    """

    DISCLOSURE = "disclosure"
    CORRECTION = "correction"
    ADDITION = "addition"
    DELETION = "deletion"
    STOP_USE = "stop_use"
    ERASURE = "erasure"

    @property
    def label(self) -> str:
        return _REQUEST_LABELS[self]

    @property
    def ends_use_of_data(self) -> bool:
        """削除・利用停止・消去: requests after which the customer's own chat data may be erased."""
        return self in (RequestType.DELETION, RequestType.STOP_USE, RequestType.ERASURE)

    @classmethod
    def parse(cls, value: Union["RequestType", str]) -> "RequestType":
        """The enum, its value or its Japanese label (開示 …); UnknownValue otherwise."""
        return _parse(cls, value, {label: kind for kind, label in _REQUEST_LABELS.items()})


_REQUEST_LABELS = {
    RequestType.DISCLOSURE: "開示",
    RequestType.CORRECTION: "訂正",
    RequestType.ADDITION: "追加",
    RequestType.DELETION: "削除",
    RequestType.STOP_USE: "利用停止",
    RequestType.ERASURE: "消去",
}


class RequesterKind(str, Enum):
    """The person themself, or an agent (代理人, checked by 委任状 and 印鑑証明書, section 8)."""

    SELF = "self"
    AGENT = "agent"

    @property
    def label(self) -> str:
        return _REQUESTER_LABELS[self]

    @classmethod
    def parse(cls, value: Union["RequesterKind", str]) -> "RequesterKind":
        return _parse(cls, value, {label: kind for kind, label in _REQUESTER_LABELS.items()})


_REQUESTER_LABELS = {RequesterKind.SELF: "本人", RequesterKind.AGENT: "代理人"}


class DeliveryMethod(str, Enum):
    """How the answer is delivered (第33条: the person may name the method).

    ELECTRONIC is the law's 電磁的記録, offered for disclosure only.
    """

    POST = "post"
    COUNTER = "counter"
    ELECTRONIC = "electronic"

    @property
    def label(self) -> str:
        return _DELIVERY_LABELS[self]

    @classmethod
    def parse(cls, value: Union["DeliveryMethod", str]) -> "DeliveryMethod":
        return _parse(cls, value, {label: method for method, label in _DELIVERY_LABELS.items()})


_DELIVERY_LABELS = {
    DeliveryMethod.POST: "郵送",
    DeliveryMethod.COUNTER: "窓口",
    DeliveryMethod.ELECTRONIC: "電磁的記録",
}
