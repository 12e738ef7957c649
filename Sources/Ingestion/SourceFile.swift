#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The raw bytes and metadata of one file, read with the checks ingestion needs.
struct SourceFile: Sendable {
    /// The absolute, standardised path the bytes were read from.
    var path: String
    /// Every byte of the file.
    var bytes: [UInt8]
    /// The file's last modification time.
    var modifiedAt: Date

    private static let readBlockSize = 64 * 1024

    /// Reads a regular file of at most `options.maxFileSize` bytes.
    ///
    /// The file is opened non-blocking (so a FIFO cannot stall the caller) and its type and size are
    /// checked on the open descriptor before any byte is read.
    /// - Throws: ``IngestionError`` with code `fileNotFound`, `notRegularFile`, `fileTooLarge` or `unreadable`.
    static func load(path rawPath: String, options: IngestionOptions) throws(IngestionError) -> SourceFile {
        let path = PathName.standardised(rawPath)

        var linkInfo = stat()
        guard lstat(path, &linkInfo) == 0 else {
            throw openFailure(path: path, errno: errno)
        }
        let linkKind = FileKind(mode: linkInfo.st_mode)
        if linkKind == .symbolicLink, !options.followSymlinks {
            throw symbolicLinkRefused(path: path)
        }
        if linkKind != .symbolicLink, linkKind != .regular {
            throw notRegular(path: path, kind: linkKind)
        }

        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (options.followSymlinks ? 0 : O_NOFOLLOW)
        let descriptor = open(path, flags)
        guard descriptor >= 0 else {
            let error = errno
            if error == ELOOP, !options.followSymlinks { throw symbolicLinkRefused(path: path) }
            throw openFailure(path: path, errno: error)
        }
        defer { close(descriptor) }

        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw IngestionError(code: .unreadable, message: "cannot inspect the opened file", path: path, errno: errno)
        }
        let kind = FileKind(mode: info.st_mode)
        guard kind == .regular else { throw notRegular(path: path, kind: kind) }
        let size = Int(info.st_size)
        guard size <= options.maxFileSize else { throw tooLarge(path: path, size: size, limit: options.maxFileSize) }

        let bytes = try readAll(descriptor: descriptor, expectedSize: size, path: path, limit: options.maxFileSize)
        return SourceFile(path: path, bytes: bytes, modifiedAt: modificationDate(of: info))
    }

    private static func readAll(descriptor: Int32, expectedSize: Int, path: String, limit: Int) throws(IngestionError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(expectedSize)
        var block = [UInt8](repeating: 0, count: readBlockSize)
        while true {
            let count = block.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                let error = errno
                if error == EINTR { continue }
                throw IngestionError(code: .unreadable, message: "reading the file failed", path: path, errno: error)
            }
            bytes.append(contentsOf: block[0..<count])
            if bytes.count > limit { throw tooLarge(path: path, size: bytes.count, limit: limit) }
        }
    }

    private static func modificationDate(of info: stat) -> Date {
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        return Date(timeIntervalSince1970: TimeInterval(time.tv_sec) + TimeInterval(time.tv_nsec) / 1_000_000_000)
    }

    private static func openFailure(path: String, errno error: Int32) -> IngestionError {
        switch error {
        case ENOENT, ENOTDIR:
            IngestionError(code: .fileNotFound, message: "no file exists at this path; check the path in the job payload", path: path, errno: error)
        case EACCES, EPERM:
            IngestionError(code: .unreadable, message: "permission denied; the worker's user needs read access to the file", path: path, errno: error)
        default:
            IngestionError(code: .unreadable, message: "the file could not be opened: \(String(cString: strerror(error)))", path: path, errno: error)
        }
    }

    private static func symbolicLinkRefused(path: String) -> IngestionError {
        IngestionError(
            code: .notRegularFile,
            message: "the path is a symbolic link and followSymlinks is off; name the file it points to or enable followSymlinks",
            path: path
        )
    }

    private static func notRegular(path: String, kind: FileKind) -> IngestionError {
        IngestionError(code: .notRegularFile, message: "the path is a \(kind.rawValue), not a regular file", path: path)
    }

    private static func tooLarge(path: String, size: Int, limit: Int) -> IngestionError {
        IngestionError(
            code: .fileTooLarge,
            message: "the file has \(size) bytes, more than the limit of \(limit); split it or raise maxFileSize",
            path: path
        )
    }
}

/// The type of a file system entry, from its `st_mode`.
enum FileKind: String, Sendable {
    case regular = "regular file"
    case directory
    case symbolicLink = "symbolic link"
    case fifo = "FIFO"
    case socket
    case characterDevice = "character device"
    case blockDevice = "block device"
    case unknown = "file of unknown type"

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symbolicLink
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        default: self = .unknown
        }
    }
}
