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
    TEAMS_EXTENSION_USER = "teams_extension_user"


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


class StreamingTransportType(_CaseInsensitiveStrEnum):
    """How media streaming and transcription reach the app."""

    WEBSOCKET = "websocket"


class MediaStreamingContentType(_CaseInsensitiveStrEnum):
    """What media streaming carries."""

    AUDIO = "audio"


class MediaStreamingAudioChannelType(_CaseInsensitiveStrEnum):
    """One mixed stream, or one stream per participant."""

    MIXED = "mixed"
    UNMIXED = "unmixed"


class AudioFormat(_CaseInsensitiveStrEnum):
    """The audio format of media streaming."""

    PCM16_K_MONO = "pcm16KMono"
    PCM24_K_MONO = "pcm24KMono"


class MediaStreamingSubscriptionState(_CaseInsensitiveStrEnum):
    """Whether a call's media streaming runs."""

    DISABLED = "disabled"
    INACTIVE = "inactive"
    ACTIVE = "active"


class TranscriptionSubscriptionState(_CaseInsensitiveStrEnum):
    """Whether a call's transcription runs."""

    DISABLED = "disabled"
    INACTIVE = "inactive"
    ACTIVE = "active"


class TranscriptionResultType(_CaseInsensitiveStrEnum):
    """Which transcription results a call delivers."""

    FINAL = "final"
    INTERMEDIATE = "intermediate"


class _Details:
    """Attribute equality and a keyword repr for the plain detail records below."""

    _fields: tuple[str, ...] = ()

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(
            getattr(self, name) == getattr(other, name) for name in self._fields
        )

    __hash__ = None  # type: ignore[assignment]


class TeamsPhoneCallerDetails(_Details):
    """The original caller of a call handed to a Teams Phone agent (api-version 2026-03-12).

    ``additional_caller_information`` takes at most 10 entries (the service ignores the rest,
    so callsteer refuses more).
    """

    _fields = (
        "caller",
        "name",
        "phone_number",
        "record_id",
        "screen_pop_url",
        "is_authenticated",
        "additional_caller_information",
    )

    def __init__(
        self,
        *,
        caller: CommunicationIdentifier,
        name: str,
        phone_number: str,
        record_id: str | None = None,
        screen_pop_url: str | None = None,
        is_authenticated: bool | None = None,
        additional_caller_information: dict[str, str] | None = None,
    ) -> None:
        self.caller = caller
        self.name = name
        self.phone_number = phone_number
        self.record_id = record_id
        self.screen_pop_url = screen_pop_url
        self.is_authenticated = is_authenticated
        self.additional_caller_information = additional_caller_information


class TeamsPhoneSourceDetails(_Details):
    """The bot or IVR that passes a call on to a Teams Phone agent, with the targets it meant."""

    _fields = ("source", "language", "status", "intended_targets")

    def __init__(
        self,
        *,
        source: CommunicationIdentifier,
        language: str,
        status: str,
        intended_targets: Mapping[str, CommunicationIdentifier] | None = None,
    ) -> None:
        self.source = source
        self.language = language
        self.status = status
        self.intended_targets = dict(intended_targets) if intended_targets else None


class TeamsPhoneCallDetails(_Details):
    """What a Teams Phone agent sees about a call handed to them: ``teams_phone_call_details=``
    of ``add_participant`` and ``transfer_call_to_participant``, and
    ``IncomingCall.custom_context["teams_phone_call_details"]``. ``call_topic`` is at most 48
    characters.

    Unlike the official SDK 1.6.0, which drops these details unless SIP or VoIP headers are given
    too, callsteer always sends them.
    """

    _fields = (
        "teams_phone_caller",
        "teams_phone_source",
        "session_id",
        "intent",
        "call_topic",
        "call_context",
        "transcript_url",
        "call_sentiment",
        "suggested_actions",
    )

    def __init__(
        self,
        *,
        teams_phone_caller: TeamsPhoneCallerDetails | None = None,
        teams_phone_source: TeamsPhoneSourceDetails | None = None,
        session_id: str | None = None,
        intent: str | None = None,
        call_topic: str | None = None,
        call_context: str | None = None,
        transcript_url: str | None = None,
        call_sentiment: str | None = None,
        suggested_actions: str | None = None,
    ) -> None:
        self.teams_phone_caller = teams_phone_caller
        self.teams_phone_source = teams_phone_source
        self.session_id = session_id
        self.intent = intent
        self.call_topic = call_topic
        self.call_context = call_context
        self.transcript_url = transcript_url
        self.call_sentiment = call_sentiment
        self.suggested_actions = suggested_actions


class MediaStreamingOptions(_Details):
    """``media_streaming=`` of create, answer and connect: stream the call's audio to a
    WebSocket (``transport_url``, ``wss://``). Values are checked locally (the enums above, or
    their string values in any case)."""

    _fields = (
        "transport_url",
        "transport_type",
        "content_type",
        "audio_channel_type",
        "start_media_streaming",
        "enable_bidirectional",
        "audio_format",
        "enable_dtmf_tones",
    )

    def __init__(
        self,
        *,
        transport_url: str,
        transport_type: StreamingTransportType | str,
        content_type: MediaStreamingContentType | str,
        audio_channel_type: MediaStreamingAudioChannelType | str,
        start_media_streaming: bool | None = None,
        enable_bidirectional: bool | None = None,
        audio_format: AudioFormat | str | None = None,
        enable_dtmf_tones: bool | None = None,
    ) -> None:
        self.transport_url = transport_url
        self.transport_type = transport_type
        self.content_type = content_type
        self.audio_channel_type = audio_channel_type
        self.start_media_streaming = start_media_streaming
        self.enable_bidirectional = enable_bidirectional
        self.audio_format = audio_format
        self.enable_dtmf_tones = enable_dtmf_tones


class TranscriptionOptions(_Details):
    """``transcription=`` of create, answer and connect: live transcription to a WebSocket.

    ``speech_recognition_model_endpoint_id`` is sent (the official SDK 1.6.0 drops it)."""

    _fields = (
        "transport_url",
        "transport_type",
        "locale",
        "start_transcription",
        "speech_recognition_model_endpoint_id",
        "enable_intermediate_results",
    )

    def __init__(
        self,
        *,
        transport_url: str,
        transport_type: StreamingTransportType | str,
        locale: str,
        start_transcription: bool,
        speech_recognition_model_endpoint_id: str | None = None,
        enable_intermediate_results: bool | None = None,
    ) -> None:
        self.transport_url = transport_url
        self.transport_type = transport_type
        self.locale = locale
        self.start_transcription = start_transcription
        self.speech_recognition_model_endpoint_id = speech_recognition_model_endpoint_id
        self.enable_intermediate_results = enable_intermediate_results


class MediaStreamingSubscription(_Details):
    """A call's media streaming, as ``CallConnectionProperties.media_streaming_subscription``."""

    _fields = ("id", "state", "subscribed_content_types")

    def __init__(
        self,
        *,
        id: str | None = None,  # noqa: A002 (the official SDK's name)
        state: MediaStreamingSubscriptionState | str | None = None,
        subscribed_content_types: list[MediaStreamingContentType | str] | None = None,
    ) -> None:
        self.id = id
        self.state = state
        self.subscribed_content_types = subscribed_content_types


class TranscriptionSubscription(_Details):
    """A call's transcription, as ``CallConnectionProperties.transcription_subscription``."""

    _fields = ("id", "state", "subscribed_result_types", "locale")

    def __init__(
        self,
        *,
        id: str | None = None,  # noqa: A002 (the official SDK's name)
        state: TranscriptionSubscriptionState | str | None = None,
        subscribed_result_types: list[TranscriptionResultType | str] | None = None,
        locale: str | None = None,
    ) -> None:
        self.id = id
        self.state = state
        self.subscribed_result_types = subscribed_result_types
        self.locale = locale


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
