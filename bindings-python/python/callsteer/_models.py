"""Thin Python sugar over the native module: the official SDK's enums, ``CallInvite`` and the
call locator classes. No validation here: the core validates every value."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ._native import PhoneNumberIdentifier

__all__ = [
    "CallConnectionState",
    "CallInvite",
    "CallRejectReason",
    "CommunicationCloudEnvironment",
    "CommunicationIdentifier",
    "CommunicationIdentifierKind",
    "GroupCallLocator",
    "RoomCallLocator",
    "ServerCallLocator",
]


class _CaseInsensitiveStrEnum(str, Enum):
    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            for member in cls:
                if member.value.lower() == value.lower():
                    return member
        return None

    def __str__(self) -> str:
        return str(self.value)


class CommunicationIdentifierKind(_CaseInsensitiveStrEnum):
    """The kind of an identifier, as in the official SDK."""

    UNKNOWN = "unknown"
    COMMUNICATION_USER = "communication_user"
    PHONE_NUMBER = "phone_number"
    MICROSOFT_TEAMS_USER = "microsoft_teams_user"
    MICROSOFT_TEAMS_APP = "microsoft_teams_app"


class CommunicationCloudEnvironment(_CaseInsensitiveStrEnum):
    """The cloud a Teams user or app lives in."""

    PUBLIC = "PUBLIC"
    DOD = "DOD"
    GCCH = "GCCH"


class CallConnectionState(_CaseInsensitiveStrEnum):
    """The state of a call connection."""

    UNKNOWN = "unknown"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    TRANSFERRING = "transferring"
    TRANSFER_ACCEPTED = "transferAccepted"
    DISCONNECTING = "disconnecting"
    DISCONNECTED = "disconnected"


class CallRejectReason(_CaseInsensitiveStrEnum):
    """Why an incoming call is rejected."""

    NONE = "none"
    BUSY = "busy"
    FORBIDDEN = "forbidden"


@runtime_checkable
class CommunicationIdentifier(Protocol):
    """Anything with a ``raw_id``, ``kind`` and ``properties`` (the official SDK's protocol)."""

    @property
    def raw_id(self) -> str: ...

    @property
    def kind(self) -> CommunicationIdentifierKind: ...

    @property
    def properties(self) -> Mapping[str, Any]: ...


class CallInvite:
    """The older invitation form: a target with the caller id a PSTN target sees.

    Accepted by ``create_call``, ``add_participant`` and ``redirect_call`` as the official SDK
    still accepts it; passing the target and keywords directly is preferred.
    """

    def __init__(
        self,
        target: CommunicationIdentifier,
        *,
        source_caller_id_number: PhoneNumberIdentifier | str | None = None,
        source_display_name: str | None = None,
        sip_headers: dict[str, str] | None = None,
        voip_headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.target = target
        self.source_caller_id_number = source_caller_id_number
        self.source_display_name = source_display_name
        # Kept so that an action that cannot send them refuses them instead of losing them.
        self.sip_headers = sip_headers
        self.voip_headers = voip_headers

    def __repr__(self) -> str:
        return (
            f"CallInvite(target={self.target!r}, "
            f"source_caller_id_number={self.source_caller_id_number!r}, "
            f"source_display_name={self.source_display_name!r})"
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, CallInvite)
            and self.target == other.target
            and self.source_caller_id_number == other.source_caller_id_number
            and self.source_display_name == other.source_display_name
        )

    __hash__ = None  # type: ignore[assignment]


class ServerCallLocator:
    """Locates a call by its server call id (``connect_call(call_locator=...)``)."""

    def __init__(self, server_call_id: str, **kwargs: Any) -> None:
        self.server_call_id = server_call_id
        self.kind = "serverCallLocator"

    def __repr__(self) -> str:
        return f"ServerCallLocator({self.server_call_id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ServerCallLocator) and other.server_call_id == self.server_call_id

    __hash__ = None  # type: ignore[assignment]


class GroupCallLocator:
    """Locates a call by its group call id."""

    def __init__(self, group_call_id: str, **kwargs: Any) -> None:
        self.group_call_id = group_call_id
        self.kind = "groupCallLocator"

    def __repr__(self) -> str:
        return f"GroupCallLocator({self.group_call_id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GroupCallLocator) and other.group_call_id == self.group_call_id

    __hash__ = None  # type: ignore[assignment]


class RoomCallLocator:
    """Locates a rooms call by its room id."""

    def __init__(self, room_id: str, **kwargs: Any) -> None:
        self.room_id = room_id
        self.kind = "roomCallLocator"

    def __repr__(self) -> str:
        return f"RoomCallLocator({self.room_id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RoomCallLocator) and other.room_id == self.room_id

    __hash__ = None  # type: ignore[assignment]
