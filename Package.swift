// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "jobq",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "JobQueue", targets: ["JobQueue"]),
        .library(name: "Supervisor", targets: ["Supervisor"]),
        .library(name: "Ingestion", targets: ["Ingestion"]),
        .executable(name: "jobq", targets: ["jobq"]),
        .executable(name: "ingest-worker", targets: ["ingest-worker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // The hiredis C client, from Debian's libhiredis-dev. Only RedisContext.swift imports it.
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        // Process launch and other system calls that Swift cannot make safely (fork/exec into a cgroup).
        .target(name: "CJobqSystem"),
        // Child processes: launch into a cgroup and a process group, wait, signal, tear down.
        .target(name: "Processes", dependencies: ["CJobqSystem"]),
        // Durations, byte sizes and CPU shares as operators write and read them (30s, 256M, 25%).
        .target(name: "HumanUnits"),
        .target(
            name: "JobQueue",
            dependencies: [
                "CHiredis",
                "HumanUnits",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Supervisor",
            dependencies: [
                "HumanUnits",
                "JobQueue",
                "Processes",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Ingestion",
            dependencies: [
                "JobQueue",
                "Processes",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "jobq",
            dependencies: [
                "HumanUnits",
                "JobQueue",
                "Supervisor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ingest-worker",
            dependencies: [
                "HumanUnits",
                "JobQueue",
                "Ingestion",
                "Processes",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Shared by the test targets: private Redis servers, unique queue names, built binaries.
        .target(name: "JobqTestSupport", dependencies: ["JobQueue", "Processes"], path: "Tests/TestSupport"),
        // The Swift example: enqueue and run a worker with a custom handler (also used by tests).
        .executableTarget(
            name: "example-worker",
            dependencies: ["JobQueue", .product(name: "Logging", package: "swift-log")],
            path: "Examples/SwiftWorker"
        ),
        .testTarget(name: "JobQueueTests", dependencies: ["JobQueue", "JobqTestSupport"]),
        .testTarget(name: "SupervisorTests", dependencies: ["Supervisor", "JobQueue", "Processes", "JobqTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ProcessesTests", dependencies: ["Processes"]),
        .testTarget(name: "HumanUnitsTests", dependencies: ["HumanUnits"]),
        .testTarget(name: "IngestionTests", dependencies: ["Ingestion", "JobQueue", "JobqTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "CLITests", dependencies: ["JobQueue", "JobqTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
