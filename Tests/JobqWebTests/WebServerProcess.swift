import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JobqTestSupport

/// A real `jobq-web` child process on a free loopback port, against the test Redis.
final class WebServerProcess {
    /// Its address, as it announced it: `http://127.0.0.1:PORT`.
    let url: String
    private let process: Process
    private let directory: URL

    /// Starts `jobq-web --listen 127.0.0.1:0` with `arguments` against the Redis at `redis` (the
    /// shared test Redis by default) and waits for its address; `throughJobq` starts it as
    /// `jobq web …` instead.
    init(_ arguments: [String] = [], redis: String? = nil, throughJobq: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let output = directory.appendingPathComponent("stdout"), errors = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        self.process = process
        process.executableURL = URL(fileURLWithPath: Binaries.path(throughJobq ? "jobq" : "jobq-web"))
        process.arguments = (throughJobq ? ["web"] : []) + ["--redis", try redis ?? TestRedis.url(), "--listen", "127.0.0.1:0", "--refresh", "1"] + arguments
        process.environment = ["PATH": Program.systemPath]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        var announced: String?
        eventually(timeout: .seconds(20)) {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            announced = text.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression).map { String(text[$0]) }
            return announced != nil || !process.isRunning
        }
        guard let announced else {
            let log = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            if process.isRunning { process.terminate() }
            try? FileManager.default.removeItem(at: directory)
            throw TestFailure("jobq-web did not announce its address: \(log)")
        }
        url = announced
    }

    deinit { stop() }

    /// Stops it (SIGTERM) and waits for it to exit.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// One HTTP exchange over a real socket.
struct HTTPExchange {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object.
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else { throw TestFailure("not a JSON object: \(text)") }
        return object
    }

    /// Sends a request and returns the answer, whatever its status.
    static func send(_ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil) async throws -> HTTPExchange {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestFailure("no HTTP response from \(url)") }
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        return HTTPExchange(status: http.statusCode, headers: fields, body: data)
    }
}
