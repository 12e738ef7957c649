import Foundation
import JobqTestSupport

/// Files of this repository, found from this source file's own path.
enum Repository {
    /// The repository's root directory (this file is `Tests/CLITests/ExamplesSupport.swift`).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The absolute path of a file given relative to the root.
    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// The text of a file given relative to the root.
    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }
}
