// ESM entry: the same objects as the CommonJS entry.
import callsteer from './callsteer.js'

export const {
  CallAutomationClient,
  CallConnection,
  CallResult,
  AddParticipantResult,
  TransferCallResult,
  RemoveParticipantResult,
  MoveParticipantsResult,
  CancelAddParticipantOperationResult,
  EventProcessor,
  CallbackVerifier,
  createIdentifierFromRawId,
  parseCallAutomationEvent,
  parseCallAutomationEvents,
  CallAutomationError,
  InvalidArgumentError,
  AuthError,
  ServiceError,
  TransportError,
  TimeoutError,
  EventParseError,
  InternalError,
  AbortError,
  KnownCallRejectReason,
  KnownMediaStreamingAudioChannelType,
  KnownMediaStreamingContentType,
  KnownStreamingTransportType,
} = callsteer
export default callsteer
