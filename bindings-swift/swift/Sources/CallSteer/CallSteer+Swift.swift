// The idiomatic Swift layer over the generated bindings: an `init(endpoint:accessKey:)`, and
// waits that follow Swift `Task` cancellation. No action, model or validation lives here.
import Foundation

extension CallAutomationClient {
    /// A client from an endpoint and a base64 access key.
    public convenience init(endpoint: String, accessKey: String, options: ClientOptions? = nil) throws {
        let client = try CallAutomationClient.withAccessKey(endpoint: endpoint, accessKey: accessKey, options: options)
        self.init(unsafeFromHandle: client.uniffiCloneHandle())
    }
}

/// Runs `body` with a `CancellationHandle` that is cancelled when the current `Task` is, so a
/// wait given that handle returns at once; its `CallAutomationError.Cancelled` becomes
/// `CancellationError`.
public func withCancellationHandle<T>(_ body: (CancellationHandle) async throws -> T) async throws -> T {
    let handle = CancellationHandle()
    do {
        return try await withTaskCancellationHandler {
            try await body(handle)
        } onCancel: {
            handle.cancel()
        }
    } catch CallAutomationError.Cancelled {
        throw CancellationError()
    }
}

func milliseconds(_ d: Duration) -> Int64 {
    let (seconds, attoseconds) = d.components
    return seconds * 1000 + attoseconds / 1_000_000_000_000_000
}

extension CallConnectionResult {
    /// `CallConnected` or the failure event; throws `CancellationError` if the task is cancelled.
    public func waitForEventProcessor(timeout: Duration) async throws -> OperationOutcome {
        try await withCancellationHandle { try await self.waitForEventProcessor(timeoutMs: milliseconds(timeout), cancel: $0) }
    }
}

extension TransferCallResult {
    public func waitForEventProcessor(timeout: Duration) async throws -> OperationOutcome {
        try await withCancellationHandle { try await self.waitForEventProcessor(timeoutMs: milliseconds(timeout), cancel: $0) }
    }
}

extension AddParticipantResult {
    public func waitForEventProcessor(timeout: Duration) async throws -> OperationOutcome {
        try await withCancellationHandle { try await self.waitForEventProcessor(timeoutMs: milliseconds(timeout), cancel: $0) }
    }
}

extension RemoveParticipantResult {
    public func waitForEventProcessor(timeout: Duration) async throws -> OperationOutcome {
        try await withCancellationHandle { try await self.waitForEventProcessor(timeoutMs: milliseconds(timeout), cancel: $0) }
    }
}

extension CancelAddParticipantOperationResult {
    public func waitForEventProcessor(timeout: Duration) async throws -> OperationOutcome {
        try await withCancellationHandle { try await self.waitForEventProcessor(timeoutMs: milliseconds(timeout), cancel: $0) }
    }
}

extension MoveParticipantsResult {
    public func waitForEventProcessor(timeout: Duration) async throws -> OperationOutcome {
        try await withCancellationHandle { try await self.waitForEventProcessor(timeoutMs: milliseconds(timeout), cancel: $0) }
    }
}

extension EventProcessor {
    /// The first event that passes `filter`; throws `CancellationError` if the task is cancelled.
    public func waitForEvent(_ filter: EventFilter = EventFilter(), timeout: Duration) async throws -> CallAutomationEvent {
        try await withCancellationHandle { try await self.waitForEvent(filter: filter, timeoutMs: milliseconds(timeout), cancel: $0) }
    }
}
