"""callsteer.aio: the same clients with ``async def`` methods, driven by the core's tokio
runtime (real asyncio awaitables, not threads). Results from these clients have an awaitable
``wait_for_event_processor``, and ``client.event_processor.wait_for_event`` is awaitable too.
A ``CallbackListener`` closes without blocking the loop: ``await listener.aclose()`` or
``async with client.start_callback_listener(...) as listener:``."""

from __future__ import annotations

from .. import (
    AddParticipantResult,
    CallbackListener,
    CallConnectionProperties,
    CallInvite,
    CallParticipant,
    CancelAddParticipantOperationResult,
    CommunicationUserIdentifier,
    EventProcessor,
    GroupCallLocator,
    MicrosoftTeamsAppIdentifier,
    MicrosoftTeamsUserIdentifier,
    MoveParticipantsResult,
    MuteParticipantResult,
    PhoneNumberIdentifier,
    RemoveParticipantResult,
    RoomCallLocator,
    ServerCallLocator,
    TeamsExtensionUserIdentifier,
    TeamsPhoneCallDetails,
    TeamsPhoneCallerDetails,
    TeamsPhoneSourceDetails,
    TransferCallResult,
    UnknownIdentifier,
    identifier_from_raw_id,
)
from .._native import AsyncCallAutomationClient as CallAutomationClient
from .._native import AsyncCallbackVerifier as CallbackVerifier
from .._native import AsyncCallConnectionClient as CallConnectionClient

__all__ = [
    "AddParticipantResult",
    "CallAutomationClient",
    "CallConnectionClient",
    "CallConnectionProperties",
    "CallInvite",
    "CallParticipant",
    "CallbackListener",
    "CallbackVerifier",
    "CancelAddParticipantOperationResult",
    "CommunicationUserIdentifier",
    "EventProcessor",
    "GroupCallLocator",
    "MicrosoftTeamsAppIdentifier",
    "MicrosoftTeamsUserIdentifier",
    "MoveParticipantsResult",
    "MuteParticipantResult",
    "PhoneNumberIdentifier",
    "RemoveParticipantResult",
    "RoomCallLocator",
    "ServerCallLocator",
    "TeamsExtensionUserIdentifier",
    "TeamsPhoneCallDetails",
    "TeamsPhoneCallerDetails",
    "TeamsPhoneSourceDetails",
    "TransferCallResult",
    "UnknownIdentifier",
    "identifier_from_raw_id",
]
