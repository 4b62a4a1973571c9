"""callsteer: Azure Communication Services Call Automation call steering on a Rust core.

The names and keyword arguments of ``azure-communication-callautomation``, synchronous here and
asyncio in :mod:`callsteer.aio`, plus typed events, ``parse_events``, the client's
``event_processor`` and ``wait_for_event_processor`` on action results.
"""

from __future__ import annotations

from ._errors import (
    AuthenticationError,
    CallAutomationError,
    EventParseError,
    InvalidArgumentError,
    OperationTimeoutError,
    ServiceAuthenticationError,
    ServiceError,
    TransportError,
)
from ._models import (
    AudioFormat,
    MediaStreamingAudioChannelType,
    MediaStreamingContentType,
    MediaStreamingOptions,
    MediaStreamingSubscription,
    MediaStreamingSubscriptionState,
    StreamingTransportType,
    TranscriptionOptions,
    TranscriptionResultType,
    TranscriptionSubscription,
    TranscriptionSubscriptionState,
    CallConnectionState,
    CallInvite,
    CallRejectReason,
    CommunicationCloudEnvironment,
    CommunicationIdentifier,
    CommunicationIdentifierKind,
    GroupCallLocator,
    RoomCallLocator,
    ServerCallLocator,
    TeamsPhoneCallDetails,
    TeamsPhoneCallerDetails,
    TeamsPhoneSourceDetails,
)
from . import _native
from ._native import (
    DEFAULT_API_VERSION,
    EVENT_CLASSES,
    AddParticipantResult,
    CallAutomationClient,
    CallAutomationEvent,
    CallbackListener,
    CallbackVerifier,
    CallConnectionClient,
    CallConnectionProperties,
    CallParticipant,
    CancelAddParticipantOperationResult,
    CommunicationUserIdentifier,
    EventProcessor,
    MicrosoftTeamsAppIdentifier,
    MicrosoftTeamsUserIdentifier,
    MoveParticipantsResult,
    MuteParticipantResult,
    OperationOutcome,
    PhoneNumberIdentifier,
    RemoveParticipantResult,
    ResultInformation,
    SipDiagnosticInfo,
    TeamsExtensionUserIdentifier,
    TransferCallResult,
    UnknownIdentifier,
    __version__,
    identifier_from_raw_id,
    parse_events,
)

__all__ = [
    "AudioFormat",
    "MediaStreamingAudioChannelType",
    "MediaStreamingContentType",
    "MediaStreamingOptions",
    "MediaStreamingSubscription",
    "MediaStreamingSubscriptionState",
    "StreamingTransportType",
    "TranscriptionOptions",
    "TranscriptionResultType",
    "TranscriptionSubscription",
    "TranscriptionSubscriptionState",
    "DEFAULT_API_VERSION",
    "EVENT_CLASSES",
    "AddParticipantResult",
    "AuthenticationError",
    # clients
    "CallAutomationClient",
    # errors
    "CallAutomationError",
    "CallAutomationEvent",
    "CallConnectionClient",
    # results and models
    "CallConnectionProperties",
    "CallConnectionState",
    # inputs
    "CallInvite",
    "CallParticipant",
    # enums
    "CallRejectReason",
    "CallbackListener",
    "CallbackVerifier",
    "CancelAddParticipantOperationResult",
    "CommunicationCloudEnvironment",
    # identifiers
    "CommunicationIdentifier",
    "CommunicationIdentifierKind",
    "CommunicationUserIdentifier",
    "EventParseError",
    # events
    "EventProcessor",
    "GroupCallLocator",
    "InvalidArgumentError",
    "MicrosoftTeamsAppIdentifier",
    "MicrosoftTeamsUserIdentifier",
    "MoveParticipantsResult",
    "MuteParticipantResult",
    "OperationOutcome",
    "OperationTimeoutError",
    "PhoneNumberIdentifier",
    "RemoveParticipantResult",
    "ResultInformation",
    "SipDiagnosticInfo",
    "TeamsExtensionUserIdentifier",
    "RoomCallLocator",
    "ServerCallLocator",
    "ServiceAuthenticationError",
    "ServiceError",
    "TeamsPhoneCallDetails",
    "TeamsPhoneCallerDetails",
    "TeamsPhoneSourceDetails",
    "TransferCallResult",
    "TransportError",
    "UnknownIdentifier",
    "__version__",
    "identifier_from_raw_id",
    "parse_events",
]

# The event classes come from core's event table (one class per event type, plus IncomingCall,
# SubscriptionValidation and Unknown): `_native.__all__` names exactly them, at runtime and in the
# stub (tests/test_event_stubs.py keeps the two equal), so they are exported without being listed.
from ._native import *  # noqa: E402, F403

__all__ += _native.__all__
