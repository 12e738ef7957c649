import Synchronization

/// The last `maxBytes` bytes written to a captured stream; safe to read while it grows.
final class OutputTail: Sendable {
    let maxBytes: Int
    /// A descriptor of this process every chunk is also written to (its own stderr), or `nil`.
    let forwardDescriptor: Int32?
    private let bytes = Mutex<[UInt8]>([])

    init(maxBytes: Int, forwardingTo forwardDescriptor: Int32? = nil) {
        self.maxBytes = max(0, maxBytes)
        self.forwardDescriptor = forwardDescriptor
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
