import Glibc

/// A NUL-terminated `char *[]` (for argv and envp) that owns its strings until `free`.
struct CStringArray {
    private(set) var pointers: [UnsafeMutablePointer<CChar>?]

    /// Copies `strings`; a string containing a NUL byte would be silently cut, so it is refused.
    init(_ strings: [String], describing what: String) throws(ProcessError) {
        pointers = []
        pointers.reserveCapacity(strings.count + 1)
        for string in strings {
            guard !string.utf8.contains(0) else {
                free()
                throw ProcessError(code: .invalidArgument, message: "\(what) contains a NUL byte: \(string.debugDescription)")
            }
            pointers.append(strdup(string))
        }
        pointers.append(nil)
    }

    /// Releases the copies.
    mutating func free() {
        for pointer in pointers {
            Glibc.free(pointer)
        }
        pointers = []
    }
}
