import Foundation

/// How far a running job has got, as its handler reports it: a count of work done, out of a
/// total when one is known, and a short message. Stored with the job (`progress` in its hash) and
/// shown by `jobq show` and `jobq stats`.
public struct JobProgress: Sendable, Codable, Equatable, CustomStringConvertible {
    /// Units of work done.
    public var done: Int64?
    /// Units of work in all, when known.
    public var total: Int64?
    /// What is being done, or what the units are ("files").
    public var message: String?

    /// The most bytes of a message kept: 200.
    public static let messageMaxBytes = 200

    /// Creates a progress report; negative counts become 0 and the message is cut to
    /// ``messageMaxBytes``.
    public init(done: Int64? = nil, total: Int64? = nil, message: String? = nil) {
        self.done = done.map { max(0, $0) }
        self.total = total.map { max(0, $0) }
        self.message = message.flatMap { text in
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { return nil }
            var kept = "", bytes = 0
            for character in trimmed {
                bytes += character.utf8.count
                if bytes > Self.messageMaxBytes { break }
                kept.append(character)
            }
            return kept
        }
    }

    /// Reads one line of the progress protocol (see `docs/worker.md`):
    /// - `DONE/TOTAL [message]`, e.g. `3/10 files`;
    /// - `PERCENT% [message]`, e.g. `45% uploading` (done 45 of 100);
    /// - a JSON object with any of `done`, `total` (whole numbers) and `message` (text);
    /// - any other text: a message alone.
    /// - Returns: `nil` for a blank line.
    public static func parse(line: String) -> JobProgress? {
        let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        if text.hasPrefix("{"), let object = try? JSONDecoder().decode(Line.self, from: Data(text.utf8)) {
            let progress = JobProgress(done: wholeNumber(object.done), total: wholeNumber(object.total), message: object.message)
            return progress.done == nil && progress.total == nil && progress.message == nil ? nil : progress
        }
        let head = text.prefix { !$0.isWhitespace }
        let rest = String(text.dropFirst(head.count))
        let parts = head.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2, let done = Int64(parts[0]), let total = Int64(parts[1]), done >= 0, total >= 0 {
            return JobProgress(done: done, total: total, message: rest)
        }
        if head.hasSuffix("%"), let percent = Int64(head.dropLast()), (0...100).contains(percent) {
            return JobProgress(done: percent, total: 100, message: rest)
        }
        return JobProgress(message: text)
    }

    /// A JSON progress line: numbers as JSON has them, checked by ``wholeNumber(_:)``.
    private struct Line: Decodable {
        var done: Double?
        var total: Double?
        var message: String?
    }

    private static func wholeNumber(_ value: Double?) -> Int64? {
        guard let value, value.isFinite, value >= 0, value == value.rounded(), value < 1e15 else { return nil }
        return Int64(value)
    }

    /// The last complete line of `bytes` (text a handler wrote, newest last) read as progress, or
    /// `nil` when it has no complete non-blank line.
    static func lastLine(of bytes: [UInt8]) -> JobProgress? {
        guard let end = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return nil }
        var lines = bytes[..<end].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        while let line = lines.popLast() {
            if let progress = parse(line: String(decoding: line, as: UTF8.self)) { return progress }
        }
        return nil
    }

    /// The form stored in Redis: compact JSON.
    var storedJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Reads the stored form; `nil` when it is not one.
    init?(storedJSON text: String) {
        guard let decoded = try? JSONDecoder().decode(JobProgress.self, from: Data(text.utf8)) else { return nil }
        self = decoded
    }

    /// `3/10 files`, `45% uploading`, `3 files`, or the message alone.
    public var description: String {
        var count = ""
        if let done, let total {
            count = "\(done)/\(total)"
        } else if let done {
            count = "\(done)"
        } else if let total {
            count = "?/\(total)"
        }
        return [count, message ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
    }
}
