import Foundation
import Ingestion
import Testing

@Suite("Directory scan")
struct DirectoryScanTests {
    private func failure(_ body: () throws(IngestionError) -> [String]) -> IngestionError? {
        do {
            let files = try body()
            Issue.record("expected a failure, got \(files)")
            return nil
        } catch {
            return error
        }
    }

    @Test func matchingFilesAreListedRecursivelyInSortedOrder() throws {
        let directory = try TemporaryDirectory()
        for name in [
            "b.md", "a.txt", "notes.markdown", "sub/c.html", "sub/deep/d.HTM", "sub-file.txt",
            "report.pdf", "Makefile", "archive.tar.gz", ".hidden.txt", ".git/config.md", "sub/.cache/e.txt",
        ] {
            try directory.write(name, text: "x")
        }
        #expect(mkfifo(directory.path + "/pipe.txt", 0o600) == 0)

        let files = try DirectoryScan.files(in: directory.path)
        let root = directory.path
        #expect(files == [
            "\(root)/a.txt", "\(root)/b.md", "\(root)/notes.markdown", "\(root)/sub-file.txt",
            "\(root)/sub/c.html", "\(root)/sub/deep/d.HTM",
        ])
    }

    @Test func allowedExtensionsOptionChoosesWhatIsListed() throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.txt", text: "x")
        try directory.write("b.rst", text: "x")
        try directory.write("c.MD", text: "x")
        let files = try DirectoryScan.files(in: directory.path + "/./", options: IngestionOptions(allowedExtensions: ["rst", ".md"]))
        #expect(files == [directory.path + "/b.rst", directory.path + "/c.MD"])
    }

    @Test func symlinksAreSkippedByDefaultAndFollowedOnceWhenEnabled() throws {
        let directory = try TemporaryDirectory()
        let outside = try TemporaryDirectory()
        try directory.write("real/one.txt", text: "x")
        try outside.write("two.md", text: "x")
        try directory.symlink("link-to-outside", to: outside.path)
        try directory.symlink("alias.txt", to: directory.path + "/real/one.txt")
        try directory.symlink("real/loop", to: directory.path)
        try directory.symlink("dangling.txt", to: directory.path + "/missing.txt")

        #expect(try DirectoryScan.files(in: directory.path) == [directory.path + "/real/one.txt"])

        let followed = try DirectoryScan.files(in: directory.path, options: IngestionOptions(followSymlinks: true))
        #expect(followed == [directory.path + "/alias.txt", directory.path + "/link-to-outside/two.md"])
    }

    @Test func missingDirectoryAndFileAreReportedClearly() throws {
        let directory = try TemporaryDirectory()
        let missing = failure { () throws(IngestionError) in try DirectoryScan.files(in: directory.path + "/absent") }
        #expect(missing?.code == .directoryNotFound)
        #expect(missing?.path == directory.path + "/absent")

        let file = try directory.write("file.txt", text: "x")
        let notDirectory = failure { () throws(IngestionError) in try DirectoryScan.files(in: file) }
        #expect(notDirectory?.code == .notADirectory)
        #expect(notDirectory?.message.contains("ingest.file") == true)
    }

    @Test func scanFailsOnceMatchesExceedTheCap() throws {
        let directory = try TemporaryDirectory()
        for index in 0..<4 {
            try directory.write("f\(index).txt", text: "x")
        }
        #expect(try DirectoryScan.files(in: directory.path, options: IngestionOptions(maxScannedFiles: 4)).count == 4)
        let error = failure { () throws(IngestionError) in
            try DirectoryScan.files(in: directory.path, options: IngestionOptions(maxScannedFiles: 3))
        }
        #expect(error?.code == .tooManyFiles)
        #expect(error?.message.contains("more than 3") == true)
    }
}
