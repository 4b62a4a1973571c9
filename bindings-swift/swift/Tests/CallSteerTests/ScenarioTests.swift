// One XCTest per shared scenario file (tests/scenarios/*.json), run unchanged against a real
// emulator. testEveryScenarioFileHasATest fails when a new file is added without one here.
import Foundation
import XCTest

final class ScenarioTests: XCTestCase {
    static let covered: [String] = [
        "add-number-with-caller-id.json",
        "add-participant-busy.json",
        "add-participant-decline.json",
        "add-participant-timeout.json",
        "add-user.json",
        "answer-incoming-call.json",
        "call-phone-number.json",
        "call-user.json",
        "cancel-add-participant.json",
        "connect-group-call.json",
        "connect-room.json",
        "connect-server-call.json",
        "connect-unknown-locator.json",
        "create-call-declined.json",
        "create-call-failure.json",
        "group-call-phone-and-user.json",
        "hang-up-vs-terminate.json",
        "move-participants.json",
        "mute-participant.json",
        "redirect-to-number.json",
        "redirect-to-user.json",
        "reject-busy.json",
        "reject-forbidden.json",
        "reject-none.json",
        "remove-participant.json",
        "transfer-1to1.json",
        "transfer-group-with-transferee-sip.json",
        "transfer-group-with-transferee-voip.json",
    ]

    func testEveryScenarioFileHasATest() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: scenarioDir.path).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertEqual(files, Self.covered)
    }

    func testAddNumberWithCallerId() async throws { try await runScenario("add-number-with-caller-id.json") }
    func testAddParticipantBusy() async throws { try await runScenario("add-participant-busy.json") }
    func testAddParticipantDecline() async throws { try await runScenario("add-participant-decline.json") }
    func testAddParticipantTimeout() async throws { try await runScenario("add-participant-timeout.json") }
    func testAddUser() async throws { try await runScenario("add-user.json") }
    func testAnswerIncomingCall() async throws { try await runScenario("answer-incoming-call.json") }
    func testCallPhoneNumber() async throws { try await runScenario("call-phone-number.json") }
    func testCallUser() async throws { try await runScenario("call-user.json") }
    func testCancelAddParticipant() async throws { try await runScenario("cancel-add-participant.json") }
    func testConnectGroupCall() async throws { try await runScenario("connect-group-call.json") }
    func testConnectRoom() async throws { try await runScenario("connect-room.json") }
    func testConnectServerCall() async throws { try await runScenario("connect-server-call.json") }
    func testConnectUnknownLocator() async throws { try await runScenario("connect-unknown-locator.json") }
    func testCreateCallDeclined() async throws { try await runScenario("create-call-declined.json") }
    func testCreateCallFailure() async throws { try await runScenario("create-call-failure.json") }
    func testGroupCallPhoneAndUser() async throws { try await runScenario("group-call-phone-and-user.json") }
    func testHangUpVsTerminate() async throws { try await runScenario("hang-up-vs-terminate.json") }
    func testMoveParticipants() async throws { try await runScenario("move-participants.json") }
    func testMuteParticipant() async throws { try await runScenario("mute-participant.json") }
    func testRedirectToNumber() async throws { try await runScenario("redirect-to-number.json") }
    func testRedirectToUser() async throws { try await runScenario("redirect-to-user.json") }
    func testRejectBusy() async throws { try await runScenario("reject-busy.json") }
    func testRejectForbidden() async throws { try await runScenario("reject-forbidden.json") }
    func testRejectNone() async throws { try await runScenario("reject-none.json") }
    func testRemoveParticipant() async throws { try await runScenario("remove-participant.json") }
    func testTransfer1to1() async throws { try await runScenario("transfer-1to1.json") }
    func testTransferGroupWithTransfereeSip() async throws { try await runScenario("transfer-group-with-transferee-sip.json") }
    func testTransferGroupWithTransfereeVoip() async throws { try await runScenario("transfer-group-with-transferee-voip.json") }
}
