// Hardening of the binding: callback JWT verification against the emulator's test tokens, the
// access key never showing (descriptions, errors, the most verbose log), and Rust panics
// arriving as thrown Swift errors.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import CallSteer

let testAudience = "11111111-2222-3333-4444-555555555555"
let callConnectedBody = """
[{"id":"evt-1","source":"calling/callConnections/call-1","type":"Microsoft.Communication.CallConnected",\
"specversion":"1.0","time":"2026-01-01T00:00:00Z","data":{"callConnectionId":"call-1",\
"serverCallId":"server-1","correlationId":"corr-1","operationContext":"ctx-1"}}]
"""
/// Each bad test token and what its refusal must say.
let badTokens: [(String, String)] = [
    ("forgedSignature", "signature is invalid"),
    ("expired", "expired"),
    ("wrongAudience", "audience"),
    ("wrongIssuer", "issuer"),
    ("algNone", "not RS256"),
    ("hs256PublicKey", "not RS256"),
    ("unknownKid", "kid"),
]
/// base64 of "secret-key-do-not-show".
let foreignKey = "c2VjcmV0LWtleS1kby1ub3Qtc2hvdw=="

/// Everything Swift can print of a value.
func shown(_ value: Any) -> String {
    var dumped = ""
    dump(value, to: &dumped)
    var text = String(describing: value) + "\n" + String(reflecting: value) + "\n" + dumped
    if let error = value as? Error { text += "\n" + error.localizedDescription }
    return text
}

func assertHidden(_ text: String, _ keys: String..., file: StaticString = #filePath, line: UInt = #line) {
    for key in keys {
        let bare = key.hasSuffix("=") ? String(key.prefix { $0 != "=" }) : key
        XCTAssertFalse(text.contains(bare), "the key shows in: \(text.prefix(400))", file: file, line: line)
    }
}

/// POSTs the sample body to `url`; returns the status.
func postCallback(_ url: String, authorization: String?) async throws -> Int {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = "POST"
    request.httpBody = Data(callConnectedBody.utf8)
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
    let response: URLResponse = try await withCheckedThrowingContinuation { cont in
        URLSession.shared.dataTask(with: request) { _, response, error in
            if let error { cont.resume(throwing: error) } else { cont.resume(returning: response!) }
        }.resume()
    }
    return (response as? HTTPURLResponse)?.statusCode ?? 0
}

final class HardeningTests: XCTestCase {
    var emulator: Emulator!
    var issuer = ""
    var jwksUrl = ""
    var tokens: [String: String] = [:]

    override func setUp() async throws {
        emulator = try Emulator()
    }

    override func tearDown() async throws {
        emulator?.stop()
    }

    func loadTokens() async throws {
        let answer = try await emulator.admin("POST", "/emulator/test-tokens", ["audience": testAudience])
        let object = try XCTUnwrap(answer as? [String: Any])
        issuer = try XCTUnwrap(object["issuer"] as? String)
        jwksUrl = try XCTUnwrap(object["jwksUrl"] as? String)
        tokens = try XCTUnwrap(object["tokens"] as? [String: String])
        XCTAssertEqual(object["audience"] as? String, testAudience)
    }

    func verifier() throws -> CallbackVerifier {
        try CallbackVerifier(audience: testAudience, issuer: issuer, jwksUrl: jwksUrl)
    }

    var accessKey: String {
        emulator.connectionString.split(separator: ";").first { $0.hasPrefix("accesskey=") }
            .map { String($0.dropFirst("accesskey=".count)) } ?? "?"
    }

    // MARK: callback verification

    func testVerifierKeepsItsOptionsWithServiceDefaults() async throws {
        try await loadTokens()
        let v = try verifier()
        XCTAssertEqual([v.audience(), v.issuer(), v.jwksUrl()], [testAudience, issuer, jwksUrl])
        let plain = try CallbackVerifier(audience: testAudience)
        XCTAssertEqual(plain.issuer(), "https://acscallautomation.communication.azure.com")
        XCTAssertEqual(plain.jwksUrl(), plain.issuer() + "/calling/keys")
        XCTAssertEqual(try CallbackVerifier(audience: testAudience, issuer: "https://x.test").jwksUrl(),
                       "https://x.test/calling/keys")
        do {
            _ = try CallbackVerifier(audience: "")
            XCTFail("an empty audience was accepted")
        } catch let CallAutomationError.InvalidArgument(field, _) {
            XCTAssertEqual(field, "audience")
        }
    }

    func testValidTokenIsAcceptedAndTheBodyParsedIntoTypedEvents() async throws {
        try await loadTokens()
        let events = try await verifier().verifyAndParse(authorization: "Bearer " + tokens["valid"]!,
                                                         body: callConnectedBody)
        XCTAssertEqual(events.count, 1)
        guard case let .callConnected(data) = events[0] else { return XCTFail("got \(events[0])") }
        XCTAssertEqual(data.callConnectionId, "call-1")
        XCTAssertEqual(data.operationContext, "ctx-1")
    }

    func testEveryBadTokenIsRefusedSayingWhy() async throws {
        try await loadTokens()
        let v = try verifier()
        for (name, why) in badTokens {
            let token = try XCTUnwrap(tokens[name], name)
            do {
                _ = try await v.verifyAndParse(authorization: "Bearer " + token, body: callConnectedBody)
                XCTFail("\(name) was accepted")
            } catch CallAutomationError.Auth(let message) {
                XCTAssertTrue(message.contains(why), "\(name): \(message)")
                XCTAssertFalse(message.contains(token))
            } catch {
                XCTFail("\(name): not an Auth error: \(error)")
            }
        }
    }

    func testMissingOrMalformedAuthorizationIsRefused() async throws {
        try await loadTokens()
        let v = try verifier()
        let cases: [(String?, String)] = [
            (nil, "missing Authorization header"), ("", "not a Bearer token"),
            ("Basic dXNlcjpwdw==", "not a Bearer token"), ("Bearer not-a-jwt", "not a JWS"),
        ]
        for (header, why) in cases {
            do {
                _ = try await v.verifyAndParse(authorization: header, body: callConnectedBody)
                XCTFail("\(String(describing: header)) was accepted")
            } catch CallAutomationError.Auth(let message) {
                XCTAssertTrue(message.contains(why), message)
            }
        }
        do {
            _ = try await v.verifyAndParse(authorization: "Bearer " + tokens["valid"]!, body: "{not json")
            XCTFail("a bad body was accepted")
        } catch CallAutomationError.EventParse {
        }
    }

    func testListenerWithAVerifierRefusesBadTokens() async throws {
        try await loadTokens()
        let processor = EventProcessor()
        let listener = try await startCallbackListener(processor: processor, port: 0, verifier: verifier())
        let url = listener.url(path: "/events")
        let missing = try await postCallback(url, authorization: nil)
        XCTAssertEqual(missing, 401)
        for (name, _) in badTokens {
            let status = try await postCallback(url, authorization: "Bearer " + tokens[name]!)
            XCTAssertEqual(status, 401, name)
        }
        let ok = try await postCallback(url, authorization: "Bearer " + tokens["valid"]!)
        XCTAssertEqual(ok, 200)
        let event = try await processor.waitForEvent(EventFilter(eventType: "CallConnected"), timeout: .seconds(5))
        XCTAssertEqual(event.callConnectionId(), "call-1")
        try await listener.shutdown()
    }

    // MARK: secrets

    func testDescriptionsNeverShowTheKey() async throws {
        let key = accessKey
        let client = try CallAutomationClient(connectionString: emulator.connectionString)
        let keyed = try CallAutomationClient(endpoint: emulator.baseURL + "/", accessKey: key)
        let created = try await client.createCall(
            callInvite: CallInvite(target: communicationUserIdentifier(id: "8:acs:res_alice")),
            callbackUrl: "https://app.example/events")
        let connection = created.callConnection()
        let values: [Any] = [client, keyed, created, connection, created.callConnectionProperties(),
                             try await connection.getCallProperties(), client.eventProcessor()]
        for value in values { assertHidden(shown(value), key) }
    }

    func testConnectionStringErrorsRedactTheKey() {
        for bad in ["endpoint=not a url;accesskey=\(foreignKey)", "accesskey=\(foreignKey)",
                    "endpoint=http://127.0.0.1:9/;accesskey=\(foreignKey)!!",
                    "endpoint=http://127.0.0.1:9/;\(foreignKey)", "garbage;\(foreignKey)"] {
            XCTAssertThrowsError(try CallAutomationClient(connectionString: bad)) { error in
                assertHidden(shown(error), foreignKey)
            }
        }
    }

    func testServiceAndTransportErrorsNeverShowTheKey() async throws {
        let invite = CallInvite(target: communicationUserIdentifier(id: "8:acs:res_alice"))
        let wrong = try CallAutomationClient(endpoint: emulator.baseURL + "/", accessKey: foreignKey)
        do {
            _ = try await wrong.createCall(callInvite: invite, callbackUrl: "https://app.example/events")
            XCTFail("a wrong key was accepted")
        } catch let error as CallAutomationError {
            guard case .Service(let status, _, _, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(status, 401)
            assertHidden(shown(error), foreignKey)
        }
        let unreachable = try CallAutomationClient(endpoint: "http://127.0.0.1:9/", accessKey: foreignKey)
        do {
            _ = try await unreachable.createCall(callInvite: invite, callbackUrl: "https://app.example/events")
            XCTFail("nothing listens on port 9")
        } catch {
            assertHidden(shown(error), foreignKey)
        }
    }

    /// scripts/test-swift.sh runs the suite with CALLSTEER_LOG=trace and CALLSTEER_LOG_FILE set.
    func testTheMostVerboseLogNeverShowsTheKey() async throws {
        guard let path = ProcessInfo.processInfo.environment["CALLSTEER_LOG_FILE"], !path.isEmpty,
              ProcessInfo.processInfo.environment["CALLSTEER_LOG"] == "trace" else {
            throw XCTSkip("run through scripts/test-swift.sh (CALLSTEER_LOG=trace, CALLSTEER_LOG_FILE)")
        }
        let invite = CallInvite(target: communicationUserIdentifier(id: "8:acs:res_alice"))
        let client = try CallAutomationClient(connectionString: emulator.connectionString)
        let created = try await client.createCall(callInvite: invite, callbackUrl: "https://app.example/events")
        _ = try await created.callConnection().listParticipants()
        try await created.callConnection().hangUp(isForEveryone: true)
        let wrong = try CallAutomationClient(endpoint: emulator.baseURL + "/", accessKey: foreignKey)
        _ = try? await wrong.createCall(callInvite: invite, callbackUrl: "https://app.example/events")
        _ = try? CallAutomationClient(connectionString: "endpoint=nope;accesskey=\(foreignKey)")
        let log = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(log.contains("callsteer::http"), "the log has no request line")
        XCTAssertTrue(log.contains("status=401"), "the log has no refused request")
        assertHidden(log, accessKey, foreignKey)
    }

    // MARK: panics

    func testAPanicInASyncCallIsAThrownError() {
        XCTAssertThrowsError(try debugPanicForTest()) { error in
            XCTAssertTrue(String(describing: error).contains("panic requested"), "\(error)")
        }
    }

    func testAPanicInARuntimeTaskIsAThrownError() async throws {
        for _ in 0..<2 {
            do {
                try await debugPanicInTaskForTest()
                XCTFail("no error")
            } catch {
                XCTAssertTrue(String(describing: error).contains("panic requested"), "\(error)")
            }
        }
        // The library still works afterwards.
        let events = try parseEvents(body: callConnectedBody)
        XCTAssertEqual(events.first?.eventType(), "CallConnected")
    }
}
