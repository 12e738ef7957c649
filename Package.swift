// swift-tools-version:6.0
import PackageDescription

#if os(Linux)
import Glibc

/// How the release `jobq` and `ingest-worker` are linked, to keep an idle supervisor or worker small.
/// - They pack their relative relocations (DT_RELR, which needs lld): the loader then reads a table
///   of a few KiB, not one of about 2 MiB that stays resident in every process (1.3 to 1.6 MiB of an
///   idle worker's or supervisor's RSS; docs/benchmarks.md). Only where the C library knows DT_RELR
///   (glibc 2.36: Debian 12, Ubuntu 24.04); binaries run on the release they were built on.
/// - They export no symbols (`--no-export-dynamic` undoes the `-export-dynamic` that
///   `--static-swift-stdlib` adds): nothing loads plugins or looks our symbols up by name (the
///   runtime finds Swift metadata through its sections, and the libraries it links statically are
///   kept out of the export table anyway), and the 10,000 names of our modules' public API would
///   otherwise be a dynamic symbol table and hash the loader reads at every start (0.5 to 0.7 MiB
///   of RSS). Crash backtraces of the stripped binaries show addresses, not names.
/// - They take the C++ runtime that the Swift runtime needs from libstdc++.a (the linker script
///   packaging/link/libstdc++.so redirects `-lstdc++`): the few parts used are linked in, instead of
///   mapping all of libstdc++.so and relocating it at every start (0.7 to 0.8 MiB of RSS; the pages
///   of libstdc++.so are shared with other C++ programs on the host, ours only between processes of
///   the same binary).
/// - They put the ~1,700 functions that an idle worker and an idle supervisor run first in their code,
///   side by side (`--symbol-ordering-file`, lld only; the list packaging/link/idle-order.txt is
///   written by scripts/idle-order.sh). The kernel maps a binary's code in blocks of up to several
///   hundred KiB around each page a process runs, so those functions, spread over 18 MiB of code,
///   kept 9 MiB of it resident; side by side, 4.5 to 5 MiB. A function missing from the list (new or
///   renamed code) only lies elsewhere: it costs memory, never correctness.
let releaseLinking: [LinkerSetting] = {
    let unexported = ["-Xlinker", "--no-export-dynamic"]
    let staticCxx = ["-L", Context.packageDirectory + "/packaging/link"]
    var text = [CChar](repeating: 0, count: 64)  // "glibc 2.36"
    let version = confstr(Int32(_CS_GNU_LIBC_VERSION), &text, text.count) > 0
        ? String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: " ").last?.split(separator: ".").compactMap { Int($0) } ?? [] : []
    let packed = version.count >= 2 && (version[0], version[1]) >= (2, 36)
        ? ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
           "-Xlinker", "--symbol-ordering-file=" + Context.packageDirectory + "/packaging/link/idle-order.txt",
           "-Xlinker", "--no-warn-symbol-ordering"] : []
    return [.unsafeFlags(packed + unexported + staticCxx, .when(configuration: .release))]
}()
#else
let releaseLinking: [LinkerSetting] = []
#endif

let package = Package(
    name: "jobq",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "RedisClient", targets: ["RedisClient"]),
        .library(name: "JobQueue", targets: ["JobQueue"]),
        .library(name: "Supervisor", targets: ["Supervisor"]),
        .library(name: "Ingestion", targets: ["Ingestion"]),
        .executable(name: "jobq", targets: ["jobq"]),
        .executable(name: "ingest-worker", targets: ["ingest-worker"]),
        .executable(name: "jobq-web", targets: ["jobq-web"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // The hiredis C client, from Debian's libhiredis-dev. Only RedisClient/RedisContext.swift imports it.
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
        // A Redis client over hiredis: connection, URL configuration, replies, errors, pipelining,
        // scripts and function libraries, backoff. The only target that sees hiredis.
        .target(name: "RedisClient", dependencies: ["CHiredis"]),
        // The queue: enqueue, consumers, the worker loop, limits and locks, stats, supervision
        // records. Its Lua scripts are the .lua files in Lua/, embedded in the binary at build time.
        .target(
            name: "JobQueue",
            dependencies: [
                "HumanUnits",
                "RedisClient",
                "Processes",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("Lua")]
        ),
        // How stats are shown to people and scrapers: terminal text and Prometheus exposition.
        .target(name: "StatsRendering", dependencies: ["HumanUnits", "JobQueue"]),
        // `jobq bench`: jobq's throughput and latency as ratios to raw Redis round trips.
        .target(name: "Benchmarks", dependencies: ["JobQueue", "RedisClient"], resources: [.embedInCode("Lua")]),
        .target(
            name: "Supervisor",
            dependencies: [
                "HumanUnits",
                "JobQueue",
                "RedisClient",
                "Processes",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Ingestion",
            dependencies: [
                "RedisClient",
                "JobQueue",
                "Processes",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The Lua scripts, compiled into the module as PackageResources.<name>_lua byte arrays.
            resources: [.embedInCode("Lua")]
        ),
        .executableTarget(
            name: "jobq",
            dependencies: [
                "HumanUnits",
                "RedisClient",
                "JobQueue",
                "StatsRendering",
                "Benchmarks",
                "Supervisor",
                "Processes",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: releaseLinking
        ),
        // The dashboard: HTTP routes over the stats JSON and Prometheus text, the page and its assets
        // (embedded), and the token-guarded actions. Only `jobq-web` links it, so Hummingbird stays
        // out of `jobq`, the supervisor and the workers.
        .target(
            name: "JobqWeb",
            dependencies: [
                "HumanUnits",
                "RedisClient",
                "JobQueue",
                "StatsRendering",
                "Supervisor",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("Assets")]
        ),
        .executableTarget(
            name: "jobq-web",
            dependencies: [
                "JobqWeb",
                "RedisClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ingest-worker",
            dependencies: [
                "HumanUnits",
                "RedisClient",
                "JobQueue",
                "Ingestion",
                "Processes",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: releaseLinking
        ),
        // Shared by the test targets: private Redis servers, unique queue names, built binaries.
        .target(name: "JobqTestSupport", dependencies: ["RedisClient", "JobQueue", "Processes"], path: "Tests/TestSupport"),
        // The Swift example: enqueue and run a worker with a custom handler (also used by tests).
        .executableTarget(
            name: "example-worker",
            dependencies: ["RedisClient", "JobQueue", .product(name: "Logging", package: "swift-log")],
            path: "Examples/SwiftWorker"
        ),
        .testTarget(name: "RedisClientTests", dependencies: ["RedisClient", "JobqTestSupport"]),
        .testTarget(
            name: "JobQueueTests",
            dependencies: ["RedisClient", "JobQueue", "StatsRendering", "JobqTestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SupervisorTests", dependencies: ["Supervisor", "RedisClient", "JobQueue", "Processes", "JobqTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ProcessesTests", dependencies: ["Processes"]),
        .testTarget(name: "HumanUnitsTests", dependencies: ["HumanUnits"]),
        .testTarget(name: "IngestionTests", dependencies: ["Ingestion", "RedisClient", "JobQueue", "JobqTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "JobqWebTests", dependencies: ["JobqWeb", "JobQueue", "RedisClient", "JobqTestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["RedisClient", "JobQueue", "JobqTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
