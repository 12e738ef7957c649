/// A failure to read, decode, scan or chunk a source document.
///
/// Every error names the file or directory it is about and says what to do about it.
public struct IngestionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure happened; stable, so callers can decide whether a retry makes sense.
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        /// The ``IngestionOptions`` are inconsistent (for example, overlap not smaller than chunk size).
        case invalidOptions
        /// No file exists at the path.
        case fileNotFound
        /// The path names a directory, device, FIFO, socket, or a symbolic link that may not be followed.
        case notRegularFile
        /// The file is larger than ``IngestionOptions/maxFileSize``.
        case fileTooLarge
        /// The file or directory exists but could not be opened or read (see ``IngestionError/errno``).
        case unreadable
        /// The content contains NUL bytes or too many control characters to be text.
        case binaryContent
        /// The content is not UTF-8 (see ``IngestionError/byteOffset`` for where decoding failed).
        case invalidEncoding
        /// The directory to scan does not exist.
        case directoryNotFound
        /// The path given to a directory scan is not a directory.
        case notADirectory
        /// A directory scan found more files than ``IngestionOptions/maxScannedFiles``.
        case tooManyFiles
    }

    /// What kind of failure happened.
    public var code: Code
    /// A sentence a person can act on.
    public var message: String
    /// The file or directory the failure is about (empty for ``Code/invalidOptions``).
    public var path: String
    /// The `errno` reported by the failing system call, if one failed.
    public var errno: Int32?
    /// The byte offset in the file where the offending content starts, for content failures.
    public var byteOffset: Int?

    /// Creates an error.
    /// - Parameters:
    ///   - code: What kind of failure happened.
    ///   - message: A sentence a person can act on.
    ///   - path: The file or directory the failure is about.
    ///   - errno: The `errno` of the failing system call, if any.
    ///   - byteOffset: Where the offending content starts in the file, if relevant.
    public init(code: Code, message: String, path: String, errno: Int32? = nil, byteOffset: Int? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.errno = errno
        self.byteOffset = byteOffset
    }

    /// The code, path and message on one line, with the errno when there is one.
    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if !path.isEmpty { text += " [\(path)]" }
        if let errno { text += " (errno \(errno))" }
        return text
    }
}
