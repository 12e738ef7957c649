import Synchronization

/// The last `maxBytes` bytes written to a captured stream; safe to read while it grows.
final class OutputTail: Sendable {
    let maxBytes: Int
    private let bytes = Mutex<[UInt8]>([])

    init(maxBytes: Int) {
        self.maxBytes = max(0, maxBytes)
    }

    /// Appends a chunk, dropping the oldest bytes beyond `maxBytes`.
    func append(_ chunk: UnsafeRawBufferPointer) {
        bytes.withLock { tail in
            if chunk.count >= maxBytes {
                tail = Array(chunk.suffix(maxBytes))
                return
            }
            let overflow = tail.count + chunk.count - maxBytes
            if overflow > 0 {
                tail.removeFirst(overflow)
            }
            tail.append(contentsOf: chunk)
        }
    }

    /// A copy of what is held now.
    var snapshot: [UInt8] {
        bytes.withLock { $0 }
    }
}
