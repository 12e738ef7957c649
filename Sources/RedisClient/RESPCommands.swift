/// Commands laid out in the Redis protocol (RESP), as hiredis would send them: `*<count>\r\n`,
/// then `$<length>\r\n<bytes>\r\n` for each argument.
///
/// A batch is encoded here into one buffer and handed to hiredis whole (one copy into its output
/// buffer), rather than formatted argument by argument by hiredis's own formatter, which grows
/// its buffer and prints each length with a `printf`-like routine: for a script call of a dozen
/// arguments that formatting cost more than the rest of the client's work.
struct RESPCommands: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// The encoded length in bytes.
    private(set) var count = 0

    init() {
        capacity = 512
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    /// Appends one command.
    mutating func append(_ arguments: [RedisArgument]) {
        // Each header is a marker, at most 20 digits and CRLF; each argument ends with CRLF.
        // Read in place: iterating the array would retain and release every argument's bytes.
        arguments.withUnsafeBufferPointer { arguments in
            var most = 23
            for position in arguments.indices { most += 25 + arguments[position].bytes.count }
            reserve(most)
            var cursor = Self.header(UInt8(ascii: "*"), arguments.count, at: storage + count)
            for position in arguments.indices {
                arguments[position].bytes.withUnsafeBufferPointer { source in
                    cursor = Self.header(UInt8(ascii: "$"), source.count, at: cursor)
                    if let base = source.baseAddress { cursor.update(from: base, count: source.count) }
                    cursor += source.count
                }
                cursor[0] = 13
                cursor[1] = 10
                cursor += 2
            }
            count = cursor - storage
        }
    }

    /// Calls `body` with the encoded bytes.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: storage, count: count))
    }

    /// Makes room for `more` bytes after the encoded ones.
    private mutating func reserve(_ more: Int) {
        guard count + more > capacity else { return }
        let grown = max(capacity * 2, count + more)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.initialize(from: storage, count: count)
        storage.deallocate()
        storage = moved
        capacity = grown
    }

    /// Writes `marker`, `value` in decimal and CRLF at `cursor`; returns the position after them.
    private static func header(_ marker: UInt8, _ value: Int, at cursor: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        cursor[0] = marker
        var digits = 1
        var rest = value
        while rest >= 10 {
            digits += 1
            rest /= 10
        }
        rest = value
        var position = digits
        repeat {
            cursor[position] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
            position -= 1
            rest /= 10
        } while rest > 0
        cursor[digits + 1] = 13
        cursor[digits + 2] = 10
        return cursor + digits + 3
    }
}
