// Idiomatic Swift use of the binding against a real emulator: the guide's flows through
// `waitForEventProcessor`, error mapping, and Task cancellation.
import Foundation
import XCTest
@testable import CallSteer

final class CallSteerTests: XCTestCase {
    var emulator: Emulator!
    var client: CallAutomationClient!
    var recorder: Recorder!

    override func setUp() async throws {
        emulator = try Emulator()
        client = try CallAutomationClient(connectionString: emulator.connectionString)
        recorder = try await Recorder(processor: client.eventProcessor())
    }

    override func tearDown() async throws {
        emulator?.stop()
        recorder = nil
        client = nil
    }

    /// Places a 1:1 call to `8:acs:…` and waits until it is connected.
    func connectedCall(_ target: String = "8:acs:res_alice") async throws -> CallConnection {
        let created = try await client.createCall(
            callInvite: CallInvite(target: identifierFromRawId(rawId: target)),
            callbackUrl: recorder.callbackURL)
        let outcome = try await created.waitForEventProcessor(timeout: .seconds(10))
        XCTAssertTrue(outcome.succeeded)
        return created.callConnection()
    }

    func testCreateCallToNumberWithCallerIdAwaitsCallConnected() async throws {
        let invite = CallInvite(target: phoneNumberIdentifier(phoneNumber: "+16041234567"),
                                sourceCallerIdNumber: resourcePhoneNumber)
        let created = try await client.createCall(callInvite: invite, callbackUrl: recorder.callbackURL,
                                                  options: CreateCallOptions(operationContext: "pstn"))
        let properties = created.callConnectionProperties()
        XCTAssertFalse(properties.callConnectionId.isEmpty)
        XCTAssertEqual(properties.callConnectionState, .connecting)
        let outcome = try await created.waitForEventProcessor(timeoutMs: 10_000)
        XCTAssertTrue(outcome.succeeded)
        guard case let .callConnected(data) = outcome.event else { return XCTFail("got \(outcome.event)") }
        XCTAssertEqual(data.callConnectionId, properties.callConnectionId)
        XCTAssertEqual(data.operationContext, "pstn")
        XCTAssertEqual(outcome.event.eventType(), "CallConnected")
    }

    func testAddParticipantWhoDeclinesGivesAddParticipantFailedWithResultInformation() async throws {
        try await emulator.setTarget("8:acs:res_bob", ["behavior": "decline"])
        let call = try await connectedCall()
        let added = try await call.addParticipant(
            participantToAdd: CallInvite(target: communicationUserIdentifier(id: "8:acs:res_bob")),
            options: AddParticipantOptions(invitationTimeoutInSeconds: 30, operationContext: "add-bob"))
        XCTAssertNotNil(added.invitationId())
        let outcome = try await added.waitForEventProcessor(timeout: .seconds(10))
        XCTAssertFalse(outcome.succeeded)
        guard case let .addParticipantFailed(data) = outcome.event else { return XCTFail("got \(outcome.event)") }
        XCTAssertEqual(data.participant?.rawId(), "8:acs:res_bob")
        XCTAssertEqual(data.resultInformation?.code, 603)
        XCTAssertEqual(outcome.event.operationContext(), "add-bob")
        XCTAssertTrue(outcome.event.isFailure())
    }

    func testTransferWithCustomHeaders() async throws {
        let call = try await connectedCall()
        let context = CustomCallingContext()
            .withVoip(key: "customVoipHeader", value: "v1")
        XCTAssertEqual(CustomCallingContext().withSipX(key: "header", value: "x").sipHeaders, ["X-MS-Custom-header": "x"])
        XCTAssertEqual(CustomCallingContext().withSipX(key: "h", value: "x", prefix: .x).sipHeaders, ["X-h": "x"])
        let transfer = try await call.transferCallToParticipant(
            targetParticipant: communicationUserIdentifier(id: "8:acs:res_carol"),
            options: TransferCallToParticipantOptions(operationContext: "move", customCallingContext: context))
        XCTAssertEqual(transfer.operationContext(), "move")
        let outcome = try await transfer.waitForEventProcessor(timeout: .seconds(10))
        XCTAssertTrue(outcome.succeeded)
        guard case let .callTransferAccepted(data) = outcome.event else { return XCTFail("got \(outcome.event)") }
        XCTAssertEqual(data.transferTarget?.rawId(), "8:acs:res_carol")
    }

    func testMoveParticipantsBringsTheCallerIntoThisCall() async throws {
        let ivr = try await connectedCall("8:acs:res_caller")
        let agent = try await connectedCall("8:acs:res_agent")
        let moved = try await agent.moveParticipants(
            targetParticipants: [communicationUserIdentifier(id: "8:acs:res_caller")],
            fromCall: ivr.callConnectionId(),
            options: MoveParticipantsOptions(operationContext: "to-agent"))
        XCTAssertEqual(moved.fromCall(), ivr.callConnectionId())
        XCTAssertEqual(moved.participants().map { $0.identifier.rawId() }, ["8:acs:res_agent"])
        let outcome = try await moved.waitForEventProcessor(timeout: .seconds(10))
        XCTAssertTrue(outcome.succeeded)
        guard case let .moveParticipantSucceeded(data) = outcome.event else { return XCTFail("got \(outcome.event)") }
        XCTAssertEqual(data.fromCall, ivr.callConnectionId())
        XCTAssertEqual(data.participant?.rawId(), "8:acs:res_caller")
        let roster = try await agent.listParticipants().map { $0.identifier.rawId() }.sorted()
        XCTAssertEqual(roster, ["8:acs:res_agent", "8:acs:res_caller"])
        let stranger = try await agent.moveParticipants(
            targetParticipants: [communicationUserIdentifier(id: "8:acs:res_nobody")], fromCall: ivr.callConnectionId())
        let failed = try await stranger.waitForEventProcessor(timeout: .seconds(10))
        XCTAssertFalse(failed.succeeded)
        guard case .moveParticipantFailed = failed.event else { return XCTFail("got \(failed.event)") }
    }

    func testStreamingOptionsAreReportedAsSubscriptions() async throws {
        let media = MediaStreamingOptions(transportType: "websocket", audioChannelType: "mixed",
                                          transportUrl: "wss://media.example/stream", startMediaStreaming: true)
        let created = try await client.createCall(
            callInvite: CallInvite(target: communicationUserIdentifier(id: "8:acs:res_alice")),
            callbackUrl: recorder.callbackURL, options: CreateCallOptions(mediaStreaming: media))
        XCTAssertEqual(created.callConnectionProperties().mediaStreamingSubscription?.state, "active")
        XCTAssertNil(created.callConnectionProperties().transcriptionSubscription)
        do {
            _ = try await client.createCall(
                callInvite: CallInvite(target: communicationUserIdentifier(id: "8:acs:res_alice")),
                callbackUrl: recorder.callbackURL,
                options: CreateCallOptions(mediaStreaming: MediaStreamingOptions(transportType: "websocket", audioChannelType: "stereo")))
            XCTFail("an unknown audio channel type must be refused")
        } catch let CallAutomationError.InvalidArgument(field, _) {
            XCTAssertEqual(field, "mediaStreaming.audioChannelType")
        }
    }

    func testTeamsExtensionUserJoinsWithTeamsPhoneCallDetails() async throws {
        let user = identifierFromRawId(rawId: "8:acs:r_t_u")
        guard case let .teamsExtensionUser(userId, tenantId, resourceId, cloud, _) = user else { return XCTFail("got \(user)") }
        XCTAssertEqual([userId, tenantId, resourceId], ["u", "t", "r"])
        XCTAssertEqual(cloud, .public)
        XCTAssertEqual(user.kind(), "teamsExtensionUser")
        let details = TeamsPhoneCallDetails(
            teamsPhoneCaller: TeamsPhoneCallerDetails(caller: phoneNumberIdentifier(phoneNumber: "+16045550100"),
                                                      name: "Ada", phoneNumber: "+16045550100"),
            teamsPhoneSource: TeamsPhoneSourceDetails(source: identifierFromRawId(rawId: "28:orgid:app-1"),
                                                      language: "en-US", status: "active"),
            callTopic: "Billing question")
        let call = try await connectedCall()
        let added = try await call.addParticipant(
            participantToAdd: CallInvite(target: user,
                                         customCallingContext: CustomCallingContext(teamsPhoneCallDetails: details)))
        let outcome = try await added.waitForEventProcessor(timeout: .seconds(10))
        XCTAssertTrue(outcome.succeeded)
        guard case let .addParticipantSucceeded(data) = outcome.event else { return XCTFail("got \(outcome.event)") }
        XCTAssertEqual(data.participant, user)
        var tooLong = details
        tooLong.callTopic = String(repeating: "x", count: 49)
        do {
            _ = try await call.addParticipant(
                participantToAdd: CallInvite(target: user,
                                             customCallingContext: CustomCallingContext(teamsPhoneCallDetails: tooLong)))
            XCTFail("a 49-character call topic must be refused")
        } catch let CallAutomationError.InvalidArgument(field, _) {
            XCTAssertEqual(field, "customCallingContext.teamsPhoneCallDetails.callTopic")
        }
        let body = #"[{"id":"f1","source":"calling/callConnections/c1","type":"Microsoft.Communication.AddParticipantFailed","specversion":"1.0","data":{"callConnectionId":"c1","resultInformation":{"code":486,"subCode":0,"message":"busy","sipDetails":{"code":486,"message":"Busy Here"},"q850Details":{"code":17,"message":"User busy"}}}}]"#
        guard case let .addParticipantFailed(failed) = try parseEvents(body: body)[0] else { return XCTFail("not AddParticipantFailed") }
        XCTAssertEqual(failed.resultInformation?.sipDetails, SipDiagnosticInfo(code: 486, message: "Busy Here"))
        XCTAssertEqual(failed.resultInformation?.q850Details?.code, 17)
    }

    func testHangUpForEveryoneEndsTheCall() async throws {
        let call = try await connectedCall()
        try await call.hangUp(isForEveryone: true)
        let event = try await client.eventProcessor().waitForEvent(
            EventFilter(callConnectionId: call.callConnectionId(), eventType: "CallDisconnected"), timeout: .seconds(10))
        XCTAssertEqual(event.callConnectionId(), call.callConnectionId())
        do {
            _ = try await call.getCallProperties()
            XCTFail("the call should be gone")
        } catch let CallAutomationError.Service(status, _, _, _, _) {
            XCTAssertEqual(status, 404)
        }
    }

    func testBadInputThrowsTheErrorNamingTheField() async throws {
        do {
            _ = try await client.createCall(
                callInvite: CallInvite(target: phoneNumberIdentifier(phoneNumber: "+16041234567")),
                callbackUrl: recorder.callbackURL)
            XCTFail("a phone target without caller id must be refused")
        } catch let CallAutomationError.InvalidArgument(field, message) {
            XCTAssertEqual(field, "sourceCallerIdNumber")
            XCTAssertFalse(message.isEmpty)
        }
        let call = try client.getCallConnection(callConnectionId: "any")
        do {
            _ = try await call.addParticipant(
                participantToAdd: CallInvite(target: communicationUserIdentifier(id: "8:acs:x")),
                options: AddParticipantOptions(invitationTimeoutInSeconds: 500))
            XCTFail("a 500 s invitation timeout must be refused")
        } catch let CallAutomationError.InvalidArgument(field, _) {
            XCTAssertEqual(field, "invitationTimeoutInSeconds")
        }
        XCTAssertThrowsError(try CallAutomationClient(connectionString: "not a connection string"))
    }

    func testWrongKeyThrowsAnAuthenticationServiceError() async throws {
        let endpoint = emulator.baseURL + "/"
        let wrong = try CallAutomationClient(endpoint: endpoint, accessKey: Data("wrong-key".utf8).base64EncodedString())
        do {
            _ = try await wrong.createCall(callInvite: CallInvite(target: communicationUserIdentifier(id: "8:acs:res_alice")),
                                           callbackUrl: recorder.callbackURL)
            XCTFail("a wrong key must be refused")
        } catch let CallAutomationError.Service(status, code, _, _, _) {
            XCTAssertEqual(status, 401)
            XCTAssertFalse(code.isEmpty)
        }
    }

    func testCancellingTheTaskReturnsPromptlyAndLeaksNoWaiter() async throws {
        // An outcome that never comes: nobody feeds this processor.
        let processor = EventProcessor()
        let task = Task { try await processor.waitForEvent(EventFilter(eventType: "Never"), timeout: .seconds(60)) }
        try await Task.sleep(nanoseconds: 200_000_000)
        XCTAssertEqual(processor.stats().waiters, 1)
        let start = Date()
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("a cancelled wait must throw")
        } catch is CancellationError {}
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        XCTAssertEqual(processor.stats().waiters, 0)

        // The same for an action's outcome, via an explicit handle.
        let created = try await client.createCall(
            callInvite: CallInvite(target: communicationUserIdentifier(id: "8:acs:res_alice")),
            callbackUrl: "http://127.0.0.1:9/nobody-listens")
        let handle = CancellationHandle()
        let waiting = Task { try await created.waitForEventProcessor(timeoutMs: 60_000, cancel: handle) }
        try await Task.sleep(nanoseconds: 200_000_000)
        handle.cancel()
        do {
            _ = try await waiting.value
            XCTFail("a cancelled wait must throw")
        } catch CallAutomationError.Cancelled {}
        XCTAssertEqual(client.eventProcessor().stats().waiters, 0)
    }

    func testIdentifiersEventsAndParsing() throws {
        let phone = identifierFromRawId(rawId: "4:+16041234567")
        guard case let .phoneNumber(number, _) = phone else { return XCTFail("got \(phone)") }
        XCTAssertEqual(number, "+16041234567")
        XCTAssertEqual(phone.kind(), "phoneNumber")
        XCTAssertEqual(identifierFromRawId(rawId: "8:acs:abc").rawId(), "8:acs:abc")
        let body = #"[{"id":"e1","source":"calling/callConnections/c1","type":"Microsoft.Communication.CallConnected","data":{"callConnectionId":"c1","operationContext":"ctx"},"specversion":"1.0"},{"id":"e2","type":"Microsoft.Communication.PlayCompleted","data":{"callConnectionId":"c1"},"specversion":"1.0"}]"#
        let events = try parseEvents(body: body)
        XCTAssertEqual(events.map { $0.eventType() }, ["CallConnected", "PlayCompleted"])
        guard case let .unknown(_, eventType, _, dataJson, parseError) = events[1] else { return XCTFail("got \(events[1])") }
        XCTAssertEqual(eventType, "PlayCompleted")
        XCTAssertTrue(dataJson.contains("c1"))
        XCTAssertNil(parseError)
        // One malformed event does not lose its batch-mates; it arrives as .unknown with parseError.
        let mixed = #"[{"id":"m1","type":"Microsoft.Communication.CallConnected","data":{"callConnectionId":"c1"}},{"id":"m2","type":"Microsoft.Communication.CallConnected","data":{"callConnectionId":"c1","resultInformation":{"code":"x"}}}]"#
        let delivered = try EventProcessor().processEvents(body: mixed)
        XCTAssertEqual(delivered.map { $0.eventType() }, ["CallConnected", "CallConnected"])
        XCTAssertEqual(delivered[1].parseError()?.path, "[1].data.resultInformation.code")
        // Data that is not JSON keeps its text (it used to become null).
        let raw = CallAutomationEvent.unknown(meta: EventMeta(id: "u1", source: nil, subject: nil, time: nil), eventType: "PlayCompleted", cloudEventType: "Microsoft.Communication.PlayCompleted", dataJson: "{not json", parseError: nil)
        XCTAssertEqual(raw.dataJson(), "{not json")
        XCTAssertTrue(raw.toCloudEventJson().contains("not json"))
        XCTAssertThrowsError(try parseEvents(body: "{not json")) { error in
            guard case CallAutomationError.EventParse = error else { return XCTFail("got \(error)") }
        }
        let processor = EventProcessor()
        XCTAssertEqual(try processor.processEvents(body: body).count, 2)
        XCTAssertEqual(try processor.processEvents(body: body).count, 0, "duplicates are dropped")
    }
}
