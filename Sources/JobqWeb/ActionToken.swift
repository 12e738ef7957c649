import Foundation

/// The secret an action must carry, read from the file `--token-file` names.
public struct ActionToken: Sendable {
    private let bytes: [UInt8]

    /// Reads the token: the file's first line, without surrounding white space.
    /// - Throws: ``WebError`` `.tokenFile` when the file cannot be read, holds no token or a token
    ///   shorter than 16 characters (too easy to guess).
    public init(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WebError(.tokenFile, "cannot read the token file \(path)")
        }
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).first ?? ""
        let token = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 16 else {
            throw WebError(.tokenFile, "the token in \(path) is \(token.isEmpty ? "missing" : "shorter than 16 characters"): write a long random one, e.g. head -c 32 /dev/urandom | base64 > \(path)")
        }
        bytes = Array(token.utf8)
    }

    /// Whether `candidate` is the token, compared in time that depends only on its length, so that
    /// timing does not reveal how much of a guess was right.
    public func matches(_ candidate: String?) -> Bool {
        guard let candidate else { return false }
        let given = Array(candidate.utf8)
        var difference = UInt8(given.count == bytes.count ? 0 : 1)
        for index in bytes.indices {
            difference |= bytes[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
