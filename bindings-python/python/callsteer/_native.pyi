# Type stubs of the native module `callsteer._native` (pyo3). Keep in step with src/*.rs:
# tests/typed_usage.py is checked with `mypy --strict` against these.
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, Optional, Union

from typing_extensions import TypeAlias

from ._paging import AsyncItemPaged, ItemPaged
from ._models import (
    CallConnectionState,
    CallInvite,
    CallRejectReason,
    CommunicationCloudEnvironment,
    CommunicationIdentifier,
    CommunicationIdentifierKind,
    GroupCallLocator,
    RoomCallLocator,
    ServerCallLocator,
    MediaStreamingOptions,
    MediaStreamingSubscription,
    TeamsPhoneCallDetails,
    TranscriptionOptions,
    TranscriptionSubscription,
)

__version__: str
DEFAULT_API_VERSION: str

# `from callsteer._native import *` (what the package does for type checkers) gives the event
# classes.
# ---- generated __all__ (scripts/gen_event_stubs.py) ----
__all__ = [
    "AddParticipantFailed",
    "AddParticipantSucceeded",
    "AnswerFailed",
    "CallConnected",
    "CallDisconnected",
    "CallTransferAccepted",
    "CallTransferFailed",
    "CancelAddParticipantFailed",
    "CancelAddParticipantSucceeded",
    "ConnectFailed",
    "CreateCallFailed",
    "IncomingCall",
    "MoveParticipantFailed",
    "MoveParticipantSucceeded",
    "ParticipantsUpdated",
    "RemoveParticipantFailed",
    "RemoveParticipantSucceeded",
    "SubscriptionValidation",
    "Unknown",
]
# ---- end of generated __all__ ----

# ---- identifiers -------------------------------------------------------------------------

class CommunicationUserIdentifier:
    def __init__(self, id: str, *, raw_id: Optional[str] = None) -> None: ...
    @property
    def raw_id(self) -> str: ...
    @property
    def kind(self) -> CommunicationIdentifierKind: ...
    @property
    def properties(self) -> Mapping[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class PhoneNumberIdentifier:
    def __init__(self, value: str, *, raw_id: Optional[str] = None) -> None: ...
    @property
    def raw_id(self) -> str: ...
    @property
    def kind(self) -> CommunicationIdentifierKind: ...
    @property
    def properties(self) -> Mapping[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class MicrosoftTeamsUserIdentifier:
    def __init__(
        self,
        user_id: str,
        *,
        is_anonymous: bool = False,
        cloud: Union[CommunicationCloudEnvironment, str, None] = None,
        raw_id: Optional[str] = None,
    ) -> None: ...
    @property
    def raw_id(self) -> str: ...
    @property
    def kind(self) -> CommunicationIdentifierKind: ...
    @property
    def properties(self) -> Mapping[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class MicrosoftTeamsAppIdentifier:
    def __init__(
        self,
        app_id: str,
        *,
        cloud: Union[CommunicationCloudEnvironment, str, None] = None,
        raw_id: Optional[str] = None,
    ) -> None: ...
    @property
    def raw_id(self) -> str: ...
    @property
    def kind(self) -> CommunicationIdentifierKind: ...
    @property
    def properties(self) -> Mapping[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class TeamsExtensionUserIdentifier:
    def __init__(
        self,
        *,
        user_id: str,
        tenant_id: str,
        resource_id: str,
        cloud: Union[CommunicationCloudEnvironment, str, None] = None,
        raw_id: Optional[str] = None,
    ) -> None: ...
    @property
    def raw_id(self) -> str: ...
    @property
    def kind(self) -> CommunicationIdentifierKind: ...
    @property
    def properties(self) -> Mapping[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class UnknownIdentifier:
    def __init__(self, identifier: str) -> None: ...
    @property
    def raw_id(self) -> str: ...
    @property
    def kind(self) -> CommunicationIdentifierKind: ...
    @property
    def properties(self) -> Mapping[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

_Identifier: TypeAlias = Union[
    CommunicationUserIdentifier,
    PhoneNumberIdentifier,
    MicrosoftTeamsUserIdentifier,
    MicrosoftTeamsAppIdentifier,
    TeamsExtensionUserIdentifier,
    UnknownIdentifier,
]

def identifier_from_raw_id(raw_id: str) -> _Identifier: ...

# ---- models --------------------------------------------------------------------------------

class CallParticipant:
    @property
    def identifier(self) -> _Identifier: ...
    @property
    def is_muted(self) -> bool: ...
    @property
    def is_on_hold(self) -> bool: ...

class ResultInformation:
    @property
    def code(self) -> Optional[int]: ...
    @property
    def sub_code(self) -> Optional[int]: ...
    @property
    def message(self) -> Optional[str]: ...
    @property
    def sip_details(self) -> Optional[SipDiagnosticInfo]: ...
    @property
    def q850_details(self) -> Optional[SipDiagnosticInfo]: ...

class SipDiagnosticInfo:
    @property
    def code(self) -> Optional[int]: ...
    @property
    def message(self) -> Optional[str]: ...

class OperationOutcome:
    @property
    def succeeded(self) -> bool: ...
    @property
    def event(self) -> CallAutomationEvent: ...
    def __bool__(self) -> bool: ...

class _PropertiesBase:
    @property
    def call_connection_id(self) -> str: ...
    @property
    def server_call_id(self) -> Optional[str]: ...
    @property
    def targets(self) -> list[_Identifier]: ...
    @property
    def call_connection_state(self) -> Union[CallConnectionState, str]: ...
    @property
    def callback_url(self) -> Optional[str]: ...
    @property
    def source_caller_id_number(self) -> Optional[PhoneNumberIdentifier]: ...
    @property
    def source_display_name(self) -> Optional[str]: ...
    @property
    def source(self) -> Optional[_Identifier]: ...
    @property
    def correlation_id(self) -> Optional[str]: ...
    @property
    def answered_by(self) -> Optional[CommunicationUserIdentifier]: ...
    @property
    def answered_for(self) -> Optional[PhoneNumberIdentifier]: ...
    @property
    def media_streaming_subscription(self) -> Optional[MediaStreamingSubscription]: ...
    @property
    def transcription_subscription(self) -> Optional[TranscriptionSubscription]: ...

class CallConnectionProperties(_PropertiesBase):
    def wait_for_event_processor(self, timeout: float = 30.0) -> OperationOutcome: ...

class _AsyncCallConnectionProperties(_PropertiesBase):
    async def wait_for_event_processor(self, timeout: float = 30.0) -> OperationOutcome: ...

class TransferCallResult:
    @property
    def operation_context(self) -> Optional[str]: ...
    def wait_for_event_processor(self, timeout: float = 30.0) -> OperationOutcome: ...

class _AsyncTransferCallResult:
    @property
    def operation_context(self) -> Optional[str]: ...
    async def wait_for_event_processor(self, timeout: float = 30.0) -> OperationOutcome: ...

class AddParticipantResult:
    @property
    def invitation_id(self) -> Optional[str]: ...
    @property
    def participant(self) -> Optional[CallParticipant]: ...
    @property
    def operation_context(self) -> Optional[str]: ...
    def wait_for_event_processor(self, timeout: float = 30.0) -> OperationOutcome: ...

class _AsyncAddParticipantResult:
    @property
    def invitation_id(self) -> Optional[str]: ...
    @property
    def participant(self) -> Optional[CallParticipant]: ...
    @property
    def operation_context(self) -> Optional[str]: ...
    async def wait_for_event_processor(self, timeout: float = 30.0) -> OperationOutcome: ...

class RemoveParticipantResult:
    @property
    def operation_context(self) -> Optional[str]: ...
    def wait_for_event_processor(self, timeout: float = 30.0) -> OperationOutcome: ...

class _AsyncRemoveParticipantResult:
    @property
    def operation_context(self) -> Optional[str]: ...
    async def wait_for_event_processor(self, timeout: float = 30.0) -> OperationOutcome: ...

class MoveParticipantsResult:
    @property
    def participants(self) -> list[CallParticipant]: ...
    @property
    def operation_context(self) -> Optional[str]: ...
    @property
    def from_call(self) -> Optional[str]: ...
    def wait_for_event_processor(self, timeout: float = 30.0) -> OperationOutcome: ...

class _AsyncMoveParticipantsResult:
    @property
    def participants(self) -> list[CallParticipant]: ...
    @property
    def operation_context(self) -> Optional[str]: ...
    @property
    def from_call(self) -> Optional[str]: ...
    async def wait_for_event_processor(self, timeout: float = 30.0) -> OperationOutcome: ...

class CancelAddParticipantOperationResult:
    @property
    def invitation_id(self) -> Optional[str]: ...
    @property
    def operation_context(self) -> Optional[str]: ...
    def wait_for_event_processor(self, timeout: float = 30.0) -> OperationOutcome: ...

class _AsyncCancelAddParticipantOperationResult:
    @property
    def invitation_id(self) -> Optional[str]: ...
    @property
    def operation_context(self) -> Optional[str]: ...
    async def wait_for_event_processor(self, timeout: float = 30.0) -> OperationOutcome: ...

class MuteParticipantResult:
    @property
    def operation_context(self) -> Optional[str]: ...

# ---- events --------------------------------------------------------------------------------

class CallAutomationEvent:
    @property
    def event_type(self) -> str: ...
    @property
    def cloud_event_type(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def source(self) -> Optional[str]: ...
    @property
    def subject(self) -> Optional[str]: ...
    @property
    def time(self) -> Optional[str]: ...
    @property
    def call_connection_id(self) -> Optional[str]: ...
    @property
    def server_call_id(self) -> Optional[str]: ...
    @property
    def correlation_id(self) -> Optional[str]: ...
    @property
    def operation_context(self) -> Optional[str]: ...
    @property
    def result_information(self) -> Optional[ResultInformation]: ...
    @property
    def is_failure(self) -> bool: ...
    @property
    def data(self) -> Any: ...
    def to_cloud_event(self) -> dict[str, Any]: ...

EVENT_CLASSES: tuple[type[CallAutomationEvent], ...]
EVENT_FIELDS: dict[str, tuple[tuple[str, str], ...]]

# ---- generated from core's event table by scripts/gen_event_stubs.py: do not edit ----

class CallConnected(CallAutomationEvent): ...
class CallDisconnected(CallAutomationEvent): ...

class ParticipantsUpdated(CallAutomationEvent):
    @property
    def sequence_number(self) -> int: ...
    @property
    def participants(self) -> list[CallParticipant]: ...

class CreateCallFailed(CallAutomationEvent): ...
class AnswerFailed(CallAutomationEvent): ...
class ConnectFailed(CallAutomationEvent): ...

class AddParticipantSucceeded(CallAutomationEvent):
    @property
    def participant(self) -> Optional[_Identifier]: ...

class AddParticipantFailed(CallAutomationEvent):
    @property
    def participant(self) -> Optional[_Identifier]: ...

class RemoveParticipantSucceeded(CallAutomationEvent):
    @property
    def participant(self) -> Optional[_Identifier]: ...

class RemoveParticipantFailed(CallAutomationEvent):
    @property
    def participant(self) -> Optional[_Identifier]: ...

class CancelAddParticipantSucceeded(CallAutomationEvent):
    @property
    def invitation_id(self) -> Optional[str]: ...

class CancelAddParticipantFailed(CallAutomationEvent):
    @property
    def invitation_id(self) -> Optional[str]: ...

class CallTransferAccepted(CallAutomationEvent):
    @property
    def transfer_target(self) -> Optional[_Identifier]: ...
    @property
    def transferee(self) -> Optional[_Identifier]: ...

class CallTransferFailed(CallAutomationEvent): ...

class MoveParticipantSucceeded(CallAutomationEvent):
    @property
    def participant(self) -> Optional[_Identifier]: ...
    @property
    def from_call(self) -> Optional[str]: ...

class MoveParticipantFailed(CallAutomationEvent):
    @property
    def participant(self) -> Optional[_Identifier]: ...
    @property
    def from_call(self) -> Optional[str]: ...

# ---- end of generated events ----

class IncomingCall(CallAutomationEvent):
    @property
    def to(self) -> Optional[_Identifier]: ...
    @property
    def from_(self) -> Optional[_Identifier]: ...
    @property
    def caller_display_name(self) -> Optional[str]: ...
    @property
    def incoming_call_context(self) -> Optional[str]: ...
    @property
    def on_behalf_of_callee(self) -> Optional[_Identifier]: ...
    @property
    def custom_context(self) -> Optional[dict[str, dict[str, str]]]: ...

class SubscriptionValidation(CallAutomationEvent):
    @property
    def validation_code(self) -> str: ...
    @property
    def validation_url(self) -> Optional[str]: ...

class Unknown(CallAutomationEvent):
    @property
    def parse_error(self) -> Optional[dict[str, str]]: ...

_Body: TypeAlias = Union[bytes, bytearray, str, dict[str, Any], list[Any]]

def parse_events(body: _Body) -> list[CallAutomationEvent]: ...

class EventProcessor:
    def process_events(self, body: _Body) -> list[CallAutomationEvent]: ...
    def wait_for_event(
        self,
        event_type: Optional[str] = None,
        *,
        call_connection_id: Optional[str] = None,
        operation_context: Optional[str] = None,
        timeout: float = 30.0,
    ) -> CallAutomationEvent: ...
    def call_participants(self, call_connection_id: str) -> Optional[list[CallParticipant]]: ...

class _AsyncEventProcessor:
    def process_events(self, body: _Body) -> list[CallAutomationEvent]: ...
    async def wait_for_event(
        self,
        event_type: Optional[str] = None,
        *,
        call_connection_id: Optional[str] = None,
        operation_context: Optional[str] = None,
        timeout: float = 30.0,
    ) -> CallAutomationEvent: ...
    def call_participants(self, call_connection_id: str) -> Optional[list[CallParticipant]]: ...

class CallbackListener:
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def url(self) -> str: ...
    def close(self) -> None: ...
    def __enter__(self) -> CallbackListener: ...
    def __exit__(
        self,
        t: Optional[type[BaseException]],
        v: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None: ...
    async def aclose(self) -> None: ...
    async def __aenter__(self) -> CallbackListener: ...
    async def __aexit__(
        self,
        t: Optional[type[BaseException]],
        v: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...

class CallbackVerifier:
    def __init__(
        self, audience: str, *, issuer: Optional[str] = None, jwks_url: Optional[str] = None
    ) -> None: ...
    @property
    def audience(self) -> str: ...
    @property
    def issuer(self) -> str: ...
    @property
    def jwks_url(self) -> str: ...
    def verify_and_parse(
        self, authorization: Optional[str], body: _Body
    ) -> list[CallAutomationEvent]: ...

class AsyncCallbackVerifier:
    def __init__(
        self, audience: str, *, issuer: Optional[str] = None, jwks_url: Optional[str] = None
    ) -> None: ...
    @property
    def audience(self) -> str: ...
    @property
    def issuer(self) -> str: ...
    @property
    def jwks_url(self) -> str: ...
    async def verify_and_parse(
        self, authorization: Optional[str], body: _Body
    ) -> list[CallAutomationEvent]: ...

# Hidden test hooks: panic inside a Rust call (raises CallAutomationError, kind "Internal").
def _panic_for_test() -> None: ...
def _panic_in_task_for_test(is_async: bool = False) -> Any: ...

# ---- clients -------------------------------------------------------------------------------

_Target: TypeAlias = Union[CommunicationIdentifier, CallInvite]
_PhoneNumber: TypeAlias = Union[PhoneNumberIdentifier, str]
_Headers: TypeAlias = Mapping[str, str]
_Locator: TypeAlias = Union[ServerCallLocator, GroupCallLocator, RoomCallLocator]
_Credential: TypeAlias = Any  # AzureKeyCredential-like (`.key`), a key str, or a TokenCredential

class CallConnectionClient:
    def __init__(
        self,
        endpoint: str,
        credential: _Credential,
        call_connection_id: str,
        *,
        api_version: Optional[str] = None,
        retry_total: Optional[int] = None,
        retry_backoff_factor: Optional[float] = None,
        retry_backoff_max: Optional[float] = None,
        timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        user_agent: Optional[str] = None,
        generate_operation_context: Optional[bool] = None,
        event_bus_url: Optional[str] = None,
        allow_insecure_connection: Optional[bool] = None,
    ) -> None: ...
    @classmethod
    def from_connection_string(
        cls,
        conn_str: str,
        call_connection_id: str,
        *,
        api_version: Optional[str] = None,
        retry_total: Optional[int] = None,
        retry_backoff_factor: Optional[float] = None,
        retry_backoff_max: Optional[float] = None,
        timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        user_agent: Optional[str] = None,
        generate_operation_context: Optional[bool] = None,
        event_bus_url: Optional[str] = None,
        allow_insecure_connection: Optional[bool] = None,
    ) -> CallConnectionClient: ...
    @property
    def event_processor(self) -> EventProcessor: ...
    @property
    def call_connection_id(self) -> str: ...
    def get_call_properties(self) -> CallConnectionProperties: ...
    def list_participants(self) -> ItemPaged[CallParticipant]: ...
    def _list_participants_page(
        self, continuation_token: Optional[str] = None
    ) -> tuple[list[CallParticipant], Optional[str]]: ...
    def get_participant(self, target_participant: CommunicationIdentifier) -> CallParticipant: ...
    def transfer_call_to_participant(
        self,
        target_participant: CommunicationIdentifier,
        *,
        transferee: Optional[CommunicationIdentifier] = None,
        operation_context: Optional[str] = None,
        operation_callback_url: Optional[str] = None,
        sip_headers: Optional[_Headers] = None,
        voip_headers: Optional[_Headers] = None,
        source_caller_id_number: Optional[_PhoneNumber] = None,
        teams_phone_call_details: Optional[TeamsPhoneCallDetails] = None,
    ) -> TransferCallResult: ...
    def add_participant(
        self,
        target_participant: _Target,
        *,
        invitation_timeout: Optional[int] = None,
        operation_context: Optional[str] = None,
        operation_callback_url: Optional[str] = None,
        sip_headers: Optional[_Headers] = None,
        voip_headers: Optional[_Headers] = None,
        source_caller_id_number: Optional[_PhoneNumber] = None,
        source_display_name: Optional[str] = None,
        teams_phone_call_details: Optional[TeamsPhoneCallDetails] = None,
    ) -> AddParticipantResult: ...
    def cancel_add_participant_operation(
        self,
        invitation_id: str,
        *,
        operation_context: Optional[str] = None,
        operation_callback_url: Optional[str] = None,
    ) -> CancelAddParticipantOperationResult: ...
    def remove_participant(
        self,
        target_participant: CommunicationIdentifier,
        *,
        operation_context: Optional[str] = None,
        operation_callback_url: Optional[str] = None,
    ) -> RemoveParticipantResult: ...
    def move_participants(
        self,
        target_participants: Sequence[CommunicationIdentifier],
        from_call_id: str,
        *,
        operation_context: Optional[str] = None,
        operation_callback_url: Optional[str] = None,
    ) -> MoveParticipantsResult: ...
    def mute_participant(
        self,
        target_participant: CommunicationIdentifier,
        *,
        operation_context: Optional[str] = None,
    ) -> MuteParticipantResult: ...
    def hang_up(self, is_for_everyone: bool) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> CallConnectionClient: ...
    def __exit__(
        self,
        t: Optional[type[BaseException]],
        v: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...

class AsyncCallConnectionClient:
    def __init__(
        self,
        endpoint: str,
        credential: _Credential,
        call_connection_id: str,
        *,
        api_version: Optional[str] = None,
        retry_total: Optional[int] = None,
        retry_backoff_factor: Optional[float] = None,
        retry_backoff_max: Optional[float] = None,
        timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        user_agent: Optional[str] = None,
        generate_operation_context: Optional[bool] = None,
        event_bus_url: Optional[str] = None,
        allow_insecure_connection: Optional[bool] = None,
    ) -> None: ...
    @classmethod
    def from_connection_string(
        cls,
        conn_str: str,
        call_connection_id: str,
        *,
        api_version: Optional[str] = None,
        retry_total: Optional[int] = None,
        retry_backoff_factor: Optional[float] = None,
        retry_backoff_max: Optional[float] = None,
        timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        user_agent: Optional[str] = None,
        generate_operation_context: Optional[bool] = None,
        event_bus_url: Optional[str] = None,
        allow_insecure_connection: Optional[bool] = None,
    ) -> AsyncCallConnectionClient: ...
    @property
    def event_processor(self) -> _AsyncEventProcessor: ...
    @property
    def call_connection_id(self) -> str: ...
    async def get_call_properties(self) -> _AsyncCallConnectionProperties: ...
    def list_participants(self) -> AsyncItemPaged[CallParticipant]: ...
    async def _list_participants_page(
        self, continuation_token: Optional[str] = None
    ) -> tuple[list[CallParticipant], Optional[str]]: ...
    async def get_participant(
        self, target_participant: CommunicationIdentifier
    ) -> CallParticipant: ...
    async def transfer_call_to_participant(
        self,
        target_participant: CommunicationIdentifier,
        *,
        transferee: Optional[CommunicationIdentifier] = None,
        operation_context: Optional[str] = None,
        operation_callback_url: Optional[str] = None,
        sip_headers: Optional[_Headers] = None,
        voip_headers: Optional[_Headers] = None,
        source_caller_id_number: Optional[_PhoneNumber] = None,
        teams_phone_call_details: Optional[TeamsPhoneCallDetails] = None,
    ) -> _AsyncTransferCallResult: ...
    async def add_participant(
        self,
        target_participant: _Target,
        *,
        invitation_timeout: Optional[int] = None,
        operation_context: Optional[str] = None,
        operation_callback_url: Optional[str] = None,
        sip_headers: Optional[_Headers] = None,
        voip_headers: Optional[_Headers] = None,
        source_caller_id_number: Optional[_PhoneNumber] = None,
        source_display_name: Optional[str] = None,
        teams_phone_call_details: Optional[TeamsPhoneCallDetails] = None,
    ) -> _AsyncAddParticipantResult: ...
    async def cancel_add_participant_operation(
        self,
        invitation_id: str,
        *,
        operation_context: Optional[str] = None,
        operation_callback_url: Optional[str] = None,
    ) -> _AsyncCancelAddParticipantOperationResult: ...
    async def remove_participant(
        self,
        target_participant: CommunicationIdentifier,
        *,
        operation_context: Optional[str] = None,
        operation_callback_url: Optional[str] = None,
    ) -> _AsyncRemoveParticipantResult: ...
    async def move_participants(
        self,
        target_participants: Sequence[CommunicationIdentifier],
        from_call_id: str,
        *,
        operation_context: Optional[str] = None,
        operation_callback_url: Optional[str] = None,
    ) -> _AsyncMoveParticipantsResult: ...
    async def mute_participant(
        self,
        target_participant: CommunicationIdentifier,
        *,
        operation_context: Optional[str] = None,
    ) -> MuteParticipantResult: ...
    async def hang_up(self, is_for_everyone: bool) -> None: ...
    async def close(self) -> None: ...
    async def __aenter__(self) -> AsyncCallConnectionClient: ...
    async def __aexit__(
        self,
        t: Optional[type[BaseException]],
        v: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...

class CallAutomationClient:
    def __init__(
        self,
        endpoint: str,
        credential: _Credential,
        *,
        api_version: Optional[str] = None,
        source: Optional[CommunicationUserIdentifier] = None,
        retry_total: Optional[int] = None,
        retry_backoff_factor: Optional[float] = None,
        retry_backoff_max: Optional[float] = None,
        timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        user_agent: Optional[str] = None,
        generate_operation_context: Optional[bool] = None,
        event_bus_url: Optional[str] = None,
        allow_insecure_connection: Optional[bool] = None,
    ) -> None: ...
    @classmethod
    def from_connection_string(
        cls,
        conn_str: str,
        *,
        api_version: Optional[str] = None,
        source: Optional[CommunicationUserIdentifier] = None,
        retry_total: Optional[int] = None,
        retry_backoff_factor: Optional[float] = None,
        retry_backoff_max: Optional[float] = None,
        timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        user_agent: Optional[str] = None,
        generate_operation_context: Optional[bool] = None,
        event_bus_url: Optional[str] = None,
        allow_insecure_connection: Optional[bool] = None,
    ) -> CallAutomationClient: ...
    @property
    def api_version(self) -> str: ...
    @property
    def event_processor(self) -> EventProcessor: ...
    def get_call_connection(self, call_connection_id: str) -> CallConnectionClient: ...
    def start_callback_listener(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        audience: Optional[str] = None,
        issuer: Optional[str] = None,
        jwks_url: Optional[str] = None,
        allow_unauthenticated_event_grid: bool = False,
        event_grid_secret: Optional[str] = None,
        max_connections: Optional[int] = None,
    ) -> CallbackListener: ...
    def create_call(
        self,
        target_participant: Union[_Target, Sequence[CommunicationIdentifier]],
        callback_url: str,
        *,
        source_caller_id_number: Optional[_PhoneNumber] = None,
        source_display_name: Optional[str] = None,
        operation_context: Optional[str] = None,
        cognitive_services_endpoint: Optional[str] = None,
        media_streaming: Optional[MediaStreamingOptions] = None,
        transcription: Optional[TranscriptionOptions] = None,
        teams_app_source: Optional[MicrosoftTeamsAppIdentifier] = None,
    ) -> CallConnectionProperties: ...
    def create_group_call(
        self,
        target_participants: Sequence[CommunicationIdentifier],
        callback_url: str,
        *,
        source_caller_id_number: Optional[_PhoneNumber] = None,
        source_display_name: Optional[str] = None,
        operation_context: Optional[str] = None,
        cognitive_services_endpoint: Optional[str] = None,
        media_streaming: Optional[MediaStreamingOptions] = None,
        transcription: Optional[TranscriptionOptions] = None,
        teams_app_source: Optional[MicrosoftTeamsAppIdentifier] = None,
    ) -> CallConnectionProperties: ...
    def connect_call(
        self,
        callback_url: str,
        *,
        server_call_id: Optional[str] = None,
        group_call_id: Optional[str] = None,
        room_id: Optional[str] = None,
        call_locator: Optional[_Locator] = None,
        operation_context: Optional[str] = None,
        cognitive_services_endpoint: Optional[str] = None,
        media_streaming: Optional[MediaStreamingOptions] = None,
        transcription: Optional[TranscriptionOptions] = None,
    ) -> CallConnectionProperties: ...
    def answer_call(
        self,
        incoming_call_context: str,
        callback_url: str,
        *,
        operation_context: Optional[str] = None,
        cognitive_services_endpoint: Optional[str] = None,
        media_streaming: Optional[MediaStreamingOptions] = None,
        transcription: Optional[TranscriptionOptions] = None,
    ) -> CallConnectionProperties: ...
    def redirect_call(self, incoming_call_context: str, target_participant: _Target) -> None: ...
    def reject_call(
        self,
        incoming_call_context: str,
        *,
        call_reject_reason: Union[
            CallRejectReason, Literal["none", "busy", "forbidden"], None
        ] = None,
    ) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> CallAutomationClient: ...
    def __exit__(
        self,
        t: Optional[type[BaseException]],
        v: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None: ...

class AsyncCallAutomationClient:
    def __init__(
        self,
        endpoint: str,
        credential: _Credential,
        *,
        api_version: Optional[str] = None,
        source: Optional[CommunicationUserIdentifier] = None,
        retry_total: Optional[int] = None,
        retry_backoff_factor: Optional[float] = None,
        retry_backoff_max: Optional[float] = None,
        timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        user_agent: Optional[str] = None,
        generate_operation_context: Optional[bool] = None,
        event_bus_url: Optional[str] = None,
        allow_insecure_connection: Optional[bool] = None,
    ) -> None: ...
    @classmethod
    def from_connection_string(
        cls,
        conn_str: str,
        *,
        api_version: Optional[str] = None,
        source: Optional[CommunicationUserIdentifier] = None,
        retry_total: Optional[int] = None,
        retry_backoff_factor: Optional[float] = None,
        retry_backoff_max: Optional[float] = None,
        timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        user_agent: Optional[str] = None,
        generate_operation_context: Optional[bool] = None,
        event_bus_url: Optional[str] = None,
        allow_insecure_connection: Optional[bool] = None,
    ) -> AsyncCallAutomationClient: ...
    @property
    def api_version(self) -> str: ...
    @property
    def event_processor(self) -> _AsyncEventProcessor: ...
    def get_call_connection(self, call_connection_id: str) -> AsyncCallConnectionClient: ...
    def start_callback_listener(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        audience: Optional[str] = None,
        issuer: Optional[str] = None,
        jwks_url: Optional[str] = None,
        allow_unauthenticated_event_grid: bool = False,
        event_grid_secret: Optional[str] = None,
        max_connections: Optional[int] = None,
    ) -> CallbackListener: ...
    async def create_call(
        self,
        target_participant: Union[_Target, Sequence[CommunicationIdentifier]],
        callback_url: str,
        *,
        source_caller_id_number: Optional[_PhoneNumber] = None,
        source_display_name: Optional[str] = None,
        operation_context: Optional[str] = None,
        cognitive_services_endpoint: Optional[str] = None,
        media_streaming: Optional[MediaStreamingOptions] = None,
        transcription: Optional[TranscriptionOptions] = None,
        teams_app_source: Optional[MicrosoftTeamsAppIdentifier] = None,
    ) -> _AsyncCallConnectionProperties: ...
    async def create_group_call(
        self,
        target_participants: Sequence[CommunicationIdentifier],
        callback_url: str,
        *,
        source_caller_id_number: Optional[_PhoneNumber] = None,
        source_display_name: Optional[str] = None,
        operation_context: Optional[str] = None,
        cognitive_services_endpoint: Optional[str] = None,
        media_streaming: Optional[MediaStreamingOptions] = None,
        transcription: Optional[TranscriptionOptions] = None,
        teams_app_source: Optional[MicrosoftTeamsAppIdentifier] = None,
    ) -> _AsyncCallConnectionProperties: ...
    async def connect_call(
        self,
        callback_url: str,
        *,
        server_call_id: Optional[str] = None,
        group_call_id: Optional[str] = None,
        room_id: Optional[str] = None,
        call_locator: Optional[_Locator] = None,
        operation_context: Optional[str] = None,
        cognitive_services_endpoint: Optional[str] = None,
        media_streaming: Optional[MediaStreamingOptions] = None,
        transcription: Optional[TranscriptionOptions] = None,
    ) -> _AsyncCallConnectionProperties: ...
    async def answer_call(
        self,
        incoming_call_context: str,
        callback_url: str,
        *,
        operation_context: Optional[str] = None,
        cognitive_services_endpoint: Optional[str] = None,
        media_streaming: Optional[MediaStreamingOptions] = None,
        transcription: Optional[TranscriptionOptions] = None,
    ) -> _AsyncCallConnectionProperties: ...
    async def redirect_call(
        self, incoming_call_context: str, target_participant: _Target
    ) -> None: ...
    async def reject_call(
        self,
        incoming_call_context: str,
        *,
        call_reject_reason: Union[
            CallRejectReason, Literal["none", "busy", "forbidden"], None
        ] = None,
    ) -> None: ...
    async def close(self) -> None: ...
    async def __aenter__(self) -> AsyncCallAutomationClient: ...
    async def __aexit__(
        self,
        t: Optional[type[BaseException]],
        v: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None: ...
