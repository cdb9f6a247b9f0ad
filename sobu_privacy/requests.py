"""What a person can ask for under the policy (sections 5–7), who asks, and how the answer goes back.

The values are what is stored and sent between the parts; ``label`` is what customers and
staff read. Labels are spelled as the policy spells them (開示, 訂正, 追加, 削除, 利用停止, 消去).
"""
from __future__ import annotations

from .labels import LabelledEnum, UnknownValue

__all__ = ["UnknownValue", "RequestType", "RequesterKind", "DeliveryMethod"]


class RequestType(LabelledEnum):
    """The request under APPI 第33–35条 (policy sections 5, 6 and 7).

    削除 (deletion, 第34条: the content is untrue) and 消去 (erasure, 第35条) are distinct.
    """

    DISCLOSURE = ("disclosure", "開示")
    CORRECTION = ("correction", "訂正")
    ADDITION = ("addition", "追加")
    DELETION = ("deletion", "削除")
    STOP_USE = ("stop_use", "利用停止")
    ERASURE = ("erasure", "消去")

    @property
    def ends_use_of_data(self) -> bool:
        """削除・利用停止・消去: requests after which the customer's own chat data may be erased."""
        return self in (RequestType.DELETION, RequestType.STOP_USE, RequestType.ERASURE)


class RequesterKind(LabelledEnum):
    """The person themself, or an agent (代理人, checked by 委任状 and 印鑑証明書, section 8)."""

    SELF = ("self", "本人")
    AGENT = ("agent", "代理人")


class DeliveryMethod(LabelledEnum):
    """How the answer is delivered (第33条: the person may name the method).

    ELECTRONIC is the law's 電磁的記録, offered for disclosure only.
    """

    POST = ("post", "郵送")
    COUNTER = ("counter", "窓口")
    ELECTRONIC = ("electronic", "電磁的記録")
