// The idiomatic Kotlin layer over the generated bindings (callsteer_ffi.kt): a client factory
// taking an endpoint and an access key, and waits taking a kotlin.time.Duration. No action,
// model or validation lives here. Cancelling the calling coroutine cancels any wait.
package dev.callsteer

import kotlin.time.Duration

/** A client from an endpoint and a base64 access key. */
fun CallAutomationClient(endpoint: String, accessKey: String, options: ClientOptions? = null): CallAutomationClient =
    CallAutomationClient.withAccessKey(endpoint, accessKey, options)

suspend fun CallConnectionResult.waitForEventProcessor(timeout: Duration): OperationOutcome =
    waitForEventProcessor(timeout.inWholeMilliseconds)

suspend fun TransferCallResult.waitForEventProcessor(timeout: Duration): OperationOutcome =
    waitForEventProcessor(timeout.inWholeMilliseconds)

suspend fun AddParticipantResult.waitForEventProcessor(timeout: Duration): OperationOutcome =
    waitForEventProcessor(timeout.inWholeMilliseconds)

suspend fun RemoveParticipantResult.waitForEventProcessor(timeout: Duration): OperationOutcome =
    waitForEventProcessor(timeout.inWholeMilliseconds)

suspend fun CancelAddParticipantOperationResult.waitForEventProcessor(timeout: Duration): OperationOutcome =
    waitForEventProcessor(timeout.inWholeMilliseconds)

suspend fun MoveParticipantsResult.waitForEventProcessor(timeout: Duration): OperationOutcome =
    waitForEventProcessor(timeout.inWholeMilliseconds)

suspend fun EventProcessor.waitForEvent(filter: EventFilter = EventFilter(), timeout: Duration): CallAutomationEvent =
    waitForEvent(filter, timeout.inWholeMilliseconds)
