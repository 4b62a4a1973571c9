// Test support shared by the scenario runner and the idiomatic tests: the emulator process,
// its admin API, the callback listeners and a recorder of delivered events.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import CallSteer

/// The repository root (this file is bindings-swift/swift/Tests/CallSteerTests/Support.swift).
let repoRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

let resourcePhoneNumber = "+16044561234"

/// Progress lines on stderr when CALLSTEER_TRACE is set (stdout is buffered under a pipe).
func trace(_ message: @autoclosure () -> String) {
    if let t = ProcessInfo.processInfo.environment["CALLSTEER_TRACE"], !t.isEmpty {
        let line = "trace: \(message())\n"
        fputs(line, stderr)
        if let h = FileHandle(forWritingAtPath: t) { h.seekToEndOfFile(); h.write(Data(line.utf8)); h.closeFile() }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A running `callsteer-emulator --port 0`; terminated by `stop()`.
final class Emulator {
    let process = Process()
    let connectionString: String
    let baseURL: String

    init(manualClock: Bool = false) throws {
        let env = ProcessInfo.processInfo.environment
        let binary = env["CALLSTEER_EMULATOR_BIN"]
            ?? repoRoot.appendingPathComponent("target/debug/callsteer-emulator").path
        guard FileManager.default.fileExists(atPath: binary) else {
            throw HarnessError("\(binary) is missing: run `cargo build -p callsteer-emulator` first")
        }
        process.executableURL = URL(fileURLWithPath: binary)
        var args = ["--port", "0", "--answer-delay-ms", "5", "--resource-phone-number", resourcePhoneNumber]
        if manualClock { args += ["--clock", "manual"] }
        process.arguments = args
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = out.fileHandleForReading
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let first = String(decoding: line, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard first.hasPrefix("CONNECTION_STRING=") else {
            process.terminate()
            throw HarnessError("unexpected first line from the emulator: \(first)")
        }
        connectionString = String(first.dropFirst("CONNECTION_STRING=".count))
        let endpoint = connectionString.split(separator: ";")
            .first { $0.hasPrefix("endpoint=") }.map { String($0.dropFirst("endpoint=".count)) } ?? ""
        baseURL = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        // Keep draining stdout so the emulator never blocks on a full pipe.
        Thread { while !reader.availableData.isEmpty {} }.start()
    }

    /// SIGKILL, as the Rust harness's kill_on_drop does (the emulator finishes in-flight work
    /// on SIGTERM, which may take a while).
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Calls the admin API; returns its JSON answer (NSNull for an empty body).
    @discardableResult
    func admin(_ method: String, _ path: String, _ body: Any? = nil) async throws -> Any {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response): (Data, URLResponse) = try await withCheckedThrowingContinuation { cont in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { cont.resume(throwing: error) } else { cont.resume(returning: (data ?? Data(), response!)) }
            }.resume()
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw HarnessError("\(method) \(path) answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
        if data.isEmpty { return NSNull() }
        return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    func setTarget(_ rawId: String, _ body: Any) async throws {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = rawId.addingPercentEncoding(withAllowedCharacters: allowed) ?? rawId
        try await admin("PUT", "/emulator/targets/\(encoded)", body)
    }
}

/// One event as it arrived: the listener it came to and its wire `data`.
struct Delivered {
    let path: String
    let event: CallAutomationEvent
    let type: String
    let callConnectionId: String?
    let data: Any
}

/// Two core callback listeners — `/events` feeding the client's processor, `/op` feeding a
/// second one — and the log of everything they received, in arrival order per listener.
final class Recorder {
    let events: CallbackListener
    let op: CallbackListener
    let opProcessor = EventProcessor()
    let processor: EventProcessor
    private(set) var log: [Delivered] = []

    init(processor: EventProcessor) async throws {
        self.processor = processor
        events = try await startCallbackListener(processor: processor, port: 0)
        op = try await startCallbackListener(processor: opProcessor, port: 0)
    }

    var callbackURL: String { events.url(path: "/events") }
    var operationCallbackURL: String { op.url(path: "/op") }
    var eventGridURL: String { events.url(path: "/eventgrid") }

    /// Moves every event the processors hold into the log.
    func drain() async {
        for (path, proc) in [("/events", processor), ("/op", opProcessor)] {
            while let event = try? await proc.waitForEvent(filter: EventFilter(), timeoutMs: 0) {
                let data = (try? JSONSerialization.jsonObject(with: Data(event.dataJson().utf8), options: [.fragmentsAllowed])) ?? NSNull()
                log.append(Delivered(path: path, event: event, type: event.eventType(),
                                     callConnectionId: event.callConnectionId(), data: data))
            }
        }
    }

    /// The index of the first logged event at or after `from` that passes `matches`, waiting
    /// up to `timeout` seconds for it.
    func waitFor(from: Int, timeout: TimeInterval = 10, _ matches: (Delivered) -> Bool) async -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            await drain()
            if from < log.count, let i = log[from...].firstIndex(where: matches) { return i }
            if Date() >= deadline { return nil }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
    }

}

/// `fields` ⊆ `actual`: every key given is present with an equal value, recursively; arrays
/// compare element-wise.
func subset(_ fields: Any, _ actual: Any) -> Bool {
    switch (fields, actual) {
    case let (f as [String: Any], a as [String: Any]):
        return f.allSatisfy { key, value in a[key].map { subset(value, $0) } ?? false }
    case let (f as [Any], a as [Any]):
        return f.count == a.count && zip(f, a).allSatisfy { subset($0, $1) }
    case let (f as String, a as String):
        return f == a
    case (is NSNull, is NSNull):
        return true
    case let (f as NSNumber, a as NSNumber):
        return f == a
    default:
        return false
    }
}

func describe(_ value: Any) -> String {
    if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
        return String(decoding: data, as: UTF8.self)
    }
    return "\(value)"
}
