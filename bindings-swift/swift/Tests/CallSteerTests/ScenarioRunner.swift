// Runs one shared scenario (tests/scenarios/*.json, format in tests/scenarios/README.md)
// through the Swift binding against a real emulator process, as tests/src/scenario.rs does.
import Foundation
import XCTest
@testable import CallSteer

let scenarioDir = repoRoot.appendingPathComponent("tests/scenarios")

func id(_ raw: String) -> CommunicationIdentifier { identifierFromRawId(rawId: raw) }

func customContext(_ args: [String: Any]) -> CustomCallingContext? {
    guard let c = args["customCallingContext"] as? [String: Any] else { return nil }
    var ctx = CustomCallingContext()
    for (k, v) in (c["voip"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
        ctx = ctx.withVoip(key: k, value: v as? String ?? "")
    }
    if let uui = c["sipUui"] as? String { ctx = ctx.withSipUui(value: uui) }
    for (k, v) in (c["sipX"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
        ctx = ctx.withSipX(key: k, value: v as? String ?? "")
    }
    return ctx
}

func errorJSON(_ error: Error) -> [String: Any] {
    guard let e = error as? CallAutomationError else { return ["kind": "Other", "message": "\(error)"] }
    switch e {
    case let .InvalidArgument(field, message): return ["kind": "InvalidArgument", "field": field, "message": message]
    case let .Auth(message): return ["kind": "Auth", "message": message]
    case let .Service(status, code, message, _, _): return ["kind": "Service", "status": Int(status), "code": code, "message": message]
    case let .Transport(message): return ["kind": "Transport", "message": message]
    case let .Timeout(message): return ["kind": "Timeout", "message": message]
    case let .EventParse(_, message): return ["kind": "EventParse", "message": message]
    case let .Cancelled(message): return ["kind": "Cancelled", "message": message]
    }
}

func connectionJSON(_ r: CallConnectionResult) -> [String: Any] {
    let p = r.callConnectionProperties()
    return [
        "callConnectionId": p.callConnectionId,
        "serverCallId": p.serverCallId as Any? ?? NSNull(),
        "callConnectionState": callConnectionStateName(state: p.callConnectionState),
    ]
}

func opt(_ s: String?) -> Any { s as Any? ?? NSNull() }

final class ScenarioRunner {
    let scenario: [String: Any]
    let emulator: Emulator
    let client: CallAutomationClient
    let recorder: Recorder
    var vars: [String: Any] = [:]

    init(file: String) async throws {
        let data = try Data(contentsOf: scenarioDir.appendingPathComponent(file))
        scenario = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        emulator = try Emulator(manualClock: scenario["clock"] as? String == "manual")
        trace("emulator at \(emulator.baseURL)")
        client = try CallAutomationClient(connectionString: emulator.connectionString)
        trace("client built")
        recorder = try await Recorder(processor: client.eventProcessor())
        trace("listeners at \(recorder.callbackURL) and \(recorder.operationCallbackURL)")
        try await emulator.admin("POST", "/emulator/event-subscriptions", ["url": recorder.eventGridURL])
    }

    /// Stops the emulator; the listeners stop when the runner is freed. (Awaiting the core's
    /// graceful `shutdown()` would wait for the emulator's idle keep-alive connections.)
    func close() async {
        emulator.stop()
    }

    func resolve(_ value: Any) throws -> Any {
        switch value {
        case let s as String where s.hasPrefix("$"):
            guard let v = vars[String(s.dropFirst())] else { throw HarnessError("variable \(s) was never saved") }
            return v
        case let a as [Any]: return try a.map(resolve)
        case let o as [String: Any]: return try o.mapValues(resolve)
        default: return value
        }
    }

    func call(_ args: [String: Any]) throws -> CallConnection {
        try client.getCallConnection(callConnectionId: args["call"] as? String ?? "")
    }

    func opCallback(_ args: [String: Any]) -> String? {
        (args["operationCallback"] as? Bool) == true ? recorder.operationCallbackURL : nil
    }

    /// Performs one action; returns its result as JSON and the call connection it concerns.
    func act(_ action: String, _ args: [String: Any]) async throws -> ([String: Any], String?) {
        let s = { (key: String) in args[key] as? String }
        let callback = recorder.callbackURL
        let ctx = s("operationContext")
        let callId = s("call")
        let target = { id(s("target") ?? "") }
        switch action {
        case "createCall":
            let invite = CallInvite(target: target(), sourceCallerIdNumber: s("sourceCallerIdNumber"),
                                    sourceDisplayName: s("sourceDisplayName"), customCallingContext: customContext(args))
            let r = try await client.createCall(callInvite: invite, callbackUrl: callback,
                                                options: CreateCallOptions(operationContext: ctx))
            return (connectionJSON(r), r.callConnectionProperties().callConnectionId)
        case "createGroupCall":
            let targets = (args["targets"] as? [String] ?? []).map(id)
            let r = try await client.createGroupCall(targets: targets, callbackUrl: callback,
                                                     options: CreateCallOptions(sourceCallerIdNumber: s("sourceCallerIdNumber"), operationContext: ctx))
            return (connectionJSON(r), r.callConnectionProperties().callConnectionId)
        case "connectCall":
            let locator: CallLocator
            if let v = s("serverCallId") { locator = .serverCall(serverCallId: v) }
            else if let v = s("groupCallId") { locator = .groupCall(groupCallId: v) }
            else { locator = .room(roomId: s("roomId") ?? "") }
            let r = try await client.connectCall(callLocator: locator, callbackUrl: callback,
                                                 options: ConnectCallOptions(operationContext: ctx))
            return (connectionJSON(r), r.callConnectionProperties().callConnectionId)
        case "answerCall":
            let r = try await client.answerCall(incomingCallContext: s("incomingCallContext") ?? "", callbackUrl: callback,
                                                options: AnswerCallOptions(operationContext: ctx))
            return (connectionJSON(r), r.callConnectionProperties().callConnectionId)
        case "rejectCall":
            let reason: CallRejectReason? = switch s("callRejectReason") {
            case "busy": .busy
            case "forbidden": .forbidden
            case "none": CallRejectReason.none
            default: nil
            }
            try await client.rejectCall(incomingCallContext: s("incomingCallContext") ?? "",
                                        options: RejectCallOptions(callRejectReason: reason))
            return ([:], nil)
        case "redirectCall":
            try await client.redirectCall(incomingCallContext: s("incomingCallContext") ?? "",
                                          target: CallInvite(target: target(), sourceCallerIdNumber: s("sourceCallerIdNumber")))
            return ([:], nil)
        case "transferCallToParticipant":
            let options = TransferCallToParticipantOptions(
                transferee: s("transferee").map(id), operationContext: ctx, operationCallbackUrl: opCallback(args),
                customCallingContext: customContext(args), sourceCallerIdNumber: s("sourceCallerIdNumber"))
            let r = try await call(args).transferCallToParticipant(targetParticipant: target(), options: options)
            return (["operationContext": opt(r.operationContext())], callId)
        case "addParticipant":
            let invite = CallInvite(target: target(), sourceCallerIdNumber: s("sourceCallerIdNumber"),
                                    sourceDisplayName: s("sourceDisplayName"), customCallingContext: customContext(args))
            let options = AddParticipantOptions(
                invitationTimeoutInSeconds: (args["invitationTimeoutInSeconds"] as? NSNumber).map { $0.uint32Value },
                operationContext: ctx, operationCallbackUrl: opCallback(args))
            let r = try await call(args).addParticipant(participantToAdd: invite, options: options)
            return (["invitationId": opt(r.invitationId()), "operationContext": opt(r.operationContext())], callId)
        case "cancelAddParticipant":
            let r = try await call(args).cancelAddParticipantOperation(
                invitationId: s("invitationId") ?? "",
                options: CancelAddParticipantOperationOptions(operationContext: ctx, operationCallbackUrl: opCallback(args)))
            return (["invitationId": opt(r.invitationId()), "operationContext": opt(r.operationContext())], callId)
        case "removeParticipant":
            let r = try await call(args).removeParticipant(
                participantToRemove: target(),
                options: RemoveParticipantOptions(operationContext: ctx, operationCallbackUrl: opCallback(args)))
            return (["operationContext": opt(r.operationContext())], callId)
        case "moveParticipants":
            let targets = (args["targets"] as? [String] ?? []).map(id)
            let r = try await call(args).moveParticipants(
                targetParticipants: targets, fromCall: s("fromCall") ?? "",
                options: MoveParticipantsOptions(operationContext: ctx, operationCallbackUrl: opCallback(args)))
            return (["operationContext": opt(r.operationContext()), "fromCall": opt(r.fromCall()),
                     "participants": r.participants().map { $0.identifier.rawId() }], callId)
        case "muteParticipant":
            let r = try await call(args).muteParticipant(targetParticipant: target(), options: MuteParticipantOptions(operationContext: ctx))
            return (["operationContext": opt(r.operationContext)], callId)
        case "getCallProperties":
            let p = try await call(args).getCallProperties()
            return (["callConnectionId": p.callConnectionId, "serverCallId": opt(p.serverCallId),
                     "callConnectionState": callConnectionStateName(state: p.callConnectionState)], callId)
        case "listParticipants":
            let all = try await call(args).listParticipants()
            return (["participants": all.map { $0.identifier.rawId() }], callId)
        case "hangUp":
            try await call(args).hangUp(isForEveryone: args["isForEveryone"] as? Bool ?? false)
            return ([:], callId)
        default:
            throw HarnessError("unknown scenario action \(action)")
        }
    }

    func adminAction(_ action: String, _ args: [String: Any]) async throws -> Any {
        switch action {
        case "emulator.setTarget":
            try await emulator.setTarget(args["rawId"] as? String ?? "",
                                         ["behavior": args["behavior"] ?? NSNull(), "delayMs": args["delayMs"] ?? 0])
            return NSNull()
        case "emulator.incomingCall":
            return try await emulator.admin("POST", "/emulator/incoming-calls", ["from": args["from"] ?? NSNull(), "to": args["to"] ?? NSNull()])
        case "emulator.createCall":
            return try await emulator.admin("POST", "/emulator/calls", ["participants": args["participants"] ?? []])
        case "emulator.createRoom":
            return try await emulator.admin("POST", "/emulator/rooms", ["participants": args["participants"] ?? []])
        case "emulator.advanceClock":
            return try await emulator.admin("POST", "/emulator/clock/advance", ["ms": args["ms"] ?? 0])
        default:
            throw HarnessError("unknown emulator action \(action)")
        }
    }

    /// Runs every step; the error names the step and what differed.
    func run() async throws {
        for (raw, body) in scenario["targets"] as? [String: Any] ?? [:] {
            try await emulator.setTarget(raw, body)
        }
        let steps = scenario["steps"] as? [[String: Any]] ?? []
        for (i, step) in steps.enumerated() {
            let action = step["action"] as? String ?? ""
            let at = "step \(i) (\(action))"
            trace(at)
            let args = try resolve(step["args"] ?? [String: Any]()) as? [String: Any] ?? [:]
            await recorder.drain()
            let mark = recorder.log.count
            var result: Any = NSNull()
            var call: String? = nil
            if action.hasPrefix("emulator.") {
                do { result = try await adminAction(action, args) } catch { throw HarnessError("\(at): \(error)") }
            } else {
                do {
                    let (r, c) = try await act(action, args)
                    if let want = step["expectError"] { throw HarnessError("\(at): expected error \(describe(want)), got \(describe(r))") }
                    result = r
                    call = c
                } catch let e as HarnessError {
                    throw e
                } catch {
                    guard var want = step["expectError"] as? [String: Any] else { throw HarnessError("\(at): \(error)") }
                    // Fields are named in the caller's language (tests/scenarios/README.md).
                    if let fieldIn = want.removeValue(forKey: "fieldIn") as? [String: Any] { want["field"] = fieldIn["swift"] }
                    let got = errorJSON(error)
                    if !subset(want, got) { throw HarnessError("\(at): expected error \(describe(want)), got \(describe(got))") }
                    continue
                }
            }
            for (variable, field) in step["save"] as? [String: String] ?? [:] {
                guard let value = (result as? [String: Any])?[field], !(value is NSNull) else {
                    throw HarnessError("\(at): result has no \(field) to save: \(describe(result))")
                }
                vars[variable] = value
            }
            if let expect = step["expect"] {
                let expect = try resolve(expect)
                if !subset(expect, result) { throw HarnessError("\(at): expected result \(describe(expect)), got \(describe(result))") }
            }
            var from = mark
            for expectedRaw in step["events"] as? [Any] ?? [] {
                let expected = try resolve(expectedRaw) as? [String: Any] ?? [:]
                let type = expected["type"] as? String ?? ""
                let callId: String? = expected.keys.contains("call") ? expected["call"] as? String : call
                let fields = expected["fields"] ?? [String: Any]()
                let wantPath: String? = (expected["at"] as? String) == "op" ? "/op" : nil
                let found = await recorder.waitFor(from: from) { d in
                    d.type == type
                        && (type == "IncomingCall" || callId == nil || d.callConnectionId == callId)
                        && (wantPath == nil || d.path == wantPath)
                        && subset(fields, d.data)
                }
                guard let index = found else {
                    let seen = recorder.log[mark...].map { "\($0.type)@\($0.path) \(describe($0.data))" }
                    throw HarnessError("\(at): no \(type) matching \(describe(fields)) (call \(callId ?? "nil")) after the step, in order; seen: \(seen)")
                }
                from = index + 1
            }
        }
    }
}

/// Loads and runs one scenario file against a fresh emulator.
func runScenario(_ file: String) async throws {
    let runner = try await ScenarioRunner(file: file)
    do {
        try await runner.run()
    } catch {
        await runner.close()
        throw error
    }
    await runner.close()
}
