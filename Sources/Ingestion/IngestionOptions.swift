/// Limits and choices for reading, chunking and scanning source documents.
public struct IngestionOptions: Sendable, Hashable, Codable {
    /// The most characters a chunk may hold. Default 1000.
    ///
    /// A character is a Swift `Character` (an extended grapheme cluster), so a chunk never splits
    /// what a reader sees as one letter or emoji.
    public var chunkSize: Int
    /// How many characters each chunk repeats from the end of the previous chunk. Default 150.
    /// Must be smaller than ``chunkSize``.
    public var chunkOverlap: Int
    /// The largest file, in bytes, that will be read. Default 20 MiB. Larger files fail with
    /// ``IngestionError/Code/fileTooLarge`` before any byte is read.
    public var maxFileSize: Int
    /// File name extensions (without the dot, compared case-insensitively) that a directory scan
    /// picks up. Default `txt`, `md`, `markdown`, `html`, `htm`.
    public var allowedExtensions: Set<String>
    /// Whether symbolic links are followed. Default `false`.
    ///
    /// Applies to every entry met during a directory scan and to the last component of a file path
    /// given for ingestion. The directory given to a scan, and directories along any given path,
    /// are always resolved.
    public var followSymlinks: Bool
    /// The most files a directory scan may return before failing with
    /// ``IngestionError/Code/tooManyFiles``. Default 10,000.
    public var maxScannedFiles: Int

    /// Creates options; every parameter has the documented default.
    public init(
        chunkSize: Int = 1000,
        chunkOverlap: Int = 150,
        maxFileSize: Int = 20 * 1024 * 1024,
        allowedExtensions: Set<String> = ["txt", "md", "markdown", "html", "htm"],
        followSymlinks: Bool = false,
        maxScannedFiles: Int = 10_000
    ) {
        self.chunkSize = chunkSize
        self.chunkOverlap = chunkOverlap
        self.maxFileSize = maxFileSize
        self.allowedExtensions = allowedExtensions
        self.followSymlinks = followSymlinks
        self.maxScannedFiles = maxScannedFiles
    }

    /// Checks that the options are consistent.
    /// - Throws: ``IngestionError`` with code ``IngestionError/Code/invalidOptions`` naming the bad field.
    public func validate() throws(IngestionError) {
        func invalid(_ message: String) -> IngestionError {
            IngestionError(code: .invalidOptions, message: message, path: "")
        }
        guard chunkSize >= 1 else {
            throw invalid("chunkSize must be at least 1, got \(chunkSize)")
        }
        guard chunkOverlap >= 0, chunkOverlap < chunkSize else {
            throw invalid("chunkOverlap must be at least 0 and smaller than chunkSize (\(chunkSize)), got \(chunkOverlap)")
        }
        guard maxFileSize >= 0 else {
            throw invalid("maxFileSize must not be negative, got \(maxFileSize)")
        }
        guard maxScannedFiles >= 1 else {
            throw invalid("maxScannedFiles must be at least 1, got \(maxScannedFiles)")
        }
    }

    /// Whether a file name's extension is one of ``allowedExtensions``.
    func allowsExtension(ofFileName name: String) -> Bool {
        guard let ext = PathName.fileExtension(of: name) else { return false }
        return allowedExtensions.contains { candidate in
            let wanted = candidate.hasPrefix(".") ? String(candidate.dropFirst()) : candidate
            return wanted.lowercased() == ext
        }
    }
}
