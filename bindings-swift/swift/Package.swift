// swift-tools-version:5.9
// The Swift package of callsteer: the uniffi-generated sources (written into Sources/ by
// ../scripts/generate.sh, not committed) plus a thin idiomatic layer, linked against the Rust
// library libcallsteer_ffi.so. CALLSTEER_LIB_DIR says where that library is (default: the
// workspace's target/debug).
import PackageDescription
import Foundation

let packageDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let libDir = ProcessInfo.processInfo.environment["CALLSTEER_LIB_DIR"]
    ?? packageDir.appendingPathComponent("../../target/debug").standardized.path

let package = Package(
    name: "CallSteer",
    products: [
        .library(name: "CallSteer", targets: ["CallSteer"]),
    ],
    targets: [
        // The generated C header and module map (renamed module.modulemap).
        .target(
            name: "CallSteerFFIC",
            path: "Sources/CallSteerFFIC",
            linkerSettings: [
                .linkedLibrary("callsteer_ffi"),
                .unsafeFlags(["-L", libDir, "-Xlinker", "-rpath", "-Xlinker", libDir]),
            ]
        ),
        // The generated Swift bindings and the hand-written idiomatic layer.
        .target(name: "CallSteer", dependencies: ["CallSteerFFIC"], path: "Sources/CallSteer"),
        .testTarget(name: "CallSteerTests", dependencies: ["CallSteer"], path: "Tests/CallSteerTests"),
    ]
)
