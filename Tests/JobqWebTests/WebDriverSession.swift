import Foundation
import Glibc
import JobqTestSupport

/// A headless Chromium driven over WebDriver by Debian's `chromedriver` (package chromium-driver):
/// real clicks and typing in the page.
final class WebDriverSession {
    private static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    private let driver: Process
    private let base: String
    private let port: Int
    private let profile: URL

    /// Starts chromedriver on a free port and opens a headless browser session.
    init() async throws {
        guard let executable = Program.find("chromedriver") else {
            throw TestFailure("chromedriver is not installed (apt-get install chromium-driver)")
        }
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-webdriver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let port = Int.random(in: 20_000...60_000)
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: executable)
        driver.arguments = ["--port=\(port)"]
        driver.environment = ["PATH": Program.systemPath, "HOME": profile.path]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        var ready = false, problem = ""
        for _ in 0..<100 where !ready {
            do {
                ready = try RawHTTP.send("GET", port: port, path: "/status", body: nil).status == 200
            } catch {
                problem = "\(error)"
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        guard ready else {
            Self.stop(driver)
            throw TestFailure("chromedriver did not start on port \(port): \(problem)")
        }
        let arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=\(profile.path)/chromium"]
        let session = try? Self.call("POST", port: port, "/session", [
            "capabilities": ["alwaysMatch": ["goog:chromeOptions": ["args": arguments]]],
        ])
        guard let id = session?["sessionId"] as? String else {
            Self.stop(driver)
            throw TestFailure("no WebDriver session: \(String(describing: session))")
        }
        self.port = port
        base = "/session/\(id)"
    }

    /// Ends the session and chromedriver.
    func close() async {
        _ = try? RawHTTP.send("DELETE", port: port, path: base, body: nil)
        Self.stop(driver)
        try? FileManager.default.removeItem(at: profile)
    }

    /// Ends chromedriver (it ignores SIGTERM) and waits for it.
    private static func stop(_ driver: Process) {
        kill(driver.processIdentifier, SIGKILL)
        driver.waitUntilExit()
    }

    /// Loads a page.
    func open(_ url: String) async throws {
        _ = try Self.call("POST", port: port, "\(base)/url", ["url": url])
    }

    /// The first element matching a CSS selector, waiting up to 10 s for it to appear.
    func element(_ selector: String) async throws -> String {
        for _ in 0..<100 {
            if let found = try? Self.call("POST", port: port, "\(base)/element", ["using": "css selector", "value": selector]),
               let id = found[Self.elementKey] as? String {
                return id
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("no element \(selector) in the page")
    }

    /// Replaces what an input holds with `text`, typed key by key.
    func type(_ text: String, into selector: String) async throws {
        let input = try await element(selector)
        _ = try Self.call("POST", port: port, "\(base)/element/\(input)/clear", [:])
        _ = try Self.call("POST", port: port, "\(base)/element/\(input)/value", ["text": text])
    }

    /// Clicks an element. The page redraws itself every refresh, so the element found may be
    /// replaced before the click reaches it: then the click did nothing, and it is found again.
    func click(_ selector: String) async throws {
        for attempt in 1...5 {
            do {
                _ = try Self.call("POST", port: port, "\(base)/element/\(try await element(selector))/click", [:])
                return
            } catch where attempt < 5 && "\(error)".contains("stale element reference") {
                continue
            }
        }
    }

    /// The text of an element.
    func text(_ selector: String) async throws -> String {
        let answer = try Self.call("GET", port: port, "\(base)/element/\(try await element(selector))/text", nil)
        return answer["value"] as? String ?? ""
    }

    /// Waits up to 10 s for an element's text to contain `fragment`; returns the text last seen.
    func waitForText(_ selector: String, containing fragment: String) async throws -> String {
        var seen = ""
        for _ in 0..<100 {
            seen = (try? await text(selector)) ?? ""
            if seen.contains(fragment) { return seen }
            try await Task.sleep(for: .milliseconds(100))
        }
        return seen
    }

    private static func call(_ method: String, port: Int, _ path: String, _ body: [String: Any]?) throws -> [String: Any] {
        let answer = try RawHTTP.send(method, port: port, path: path, body: try body.map { try JSONSerialization.data(withJSONObject: $0) })
        guard answer.status == 200 else { throw TestFailure("WebDriver \(method) \(path): \(answer.status) \(answer.text)") }
        let json = try answer.json()
        return (json["value"] as? [String: Any]).map { value in value.merging(json) { own, _ in own } } ?? json
    }
}

/// HTTP/1.1 over a plain loopback socket, for chromedriver: its header lines have no space after
/// the colon (`Content-Length:252`), which Foundation's URLSession on Linux refuses to read.
private enum RawHTTP {
    static func send(_ method: String, port: Int, path: String, body: Data?) throws -> HTTPExchange {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestFailure("socket: errno \(errno)") }
        let handle = FileHandle(fileDescriptor: socket, closeOnDealloc: true)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestFailure("connect to port \(port): errno \(errno)") }
        let content = body ?? Data()
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nContent-Length: \(content.count)\r\n"
        if body != nil { request += "Content-Type: application/json\r\n" }
        try handle.write(contentsOf: Data((request + "\r\n").utf8) + content)
        // chromedriver keeps the connection open: read the head, then Content-Length bytes.
        var reply = Data()
        var split: Range<Data.Index>?
        while split == nil {
            let chunk = handle.availableData
            guard !chunk.isEmpty else { throw TestFailure("no HTTP answer from port \(port)") }
            reply += chunk
            split = reply.range(of: Data("\r\n\r\n".utf8))
        }
        guard let split else { throw TestFailure("no HTTP answer from port \(port)") }
        let head = String(decoding: reply[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let status = head.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = headers["content-length"].flatMap { Int($0) } ?? 0
        while reply.count - split.upperBound < length {
            let chunk = handle.availableData
            guard !chunk.isEmpty else { break }
            reply += chunk
        }
        return HTTPExchange(status: status, headers: headers, body: Data(reply[split.upperBound...]))
    }
}
