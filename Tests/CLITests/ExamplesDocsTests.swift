import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// The commands that docs/deploying.md and docs/migrating.md show: valid shell, naming only files,
/// units, subcommands and options that exist; their `redis-cli` lines run against a fresh Redis.
@Suite("Deployment docs") struct ExamplesDocsTests {
    static let documents = ["docs/deploying.md", "docs/migrating.md"]

    /// The fenced code blocks of a Markdown text in the given language.
    private func blocks(_ text: String, language: String) -> [String] {
        var result: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```\(language)" {
                current = []
            } else if current != nil, trimmed == "```" {
                result.append(current!.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n"))
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return result
    }

    /// The texts matched by a regular expression (ICU syntax), or by its first group when it has one.
    private func matches(_ pattern: String, in text: String) throws -> [String] {
        let expression = try NSRegularExpression(pattern: pattern)
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            let range = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
            return Range(range, in: text).map { String(text[$0]) }
        }
    }

    private func shellLines(_ document: String) throws -> [String] {
        blocks(try Repository.text(document), language: "sh").flatMap { $0.split(separator: "\n").map(String.init) }
    }

    /// The `--options` of a command line, up to a `--` that starts another command's arguments.
    private func options(_ words: ArraySlice<String>) -> [String] {
        Array(words.prefix { $0 != "--" }.filter { $0.hasPrefix("--") }.map { String($0.split(separator: "=")[0]) })
    }

    /// Whether an option has its own line in a `--help` text.
    private func help(_ text: String, lists option: String) -> Bool {
        text.split(separator: "\n").contains { line in
            let trimmed = line.drop { $0 == " " }
            return line.first == " " && (trimmed.hasPrefix(option + " ") || trimmed == option || trimmed.contains(", \(option) ") || trimmed.hasSuffix(", \(option)"))
        }
    }

    @Test(arguments: documents)
    func shellBlocksAreValidShell(_ document: String) throws {
        let shellBlocks = blocks(try Repository.text(document), language: "sh")
        #expect(!shellBlocks.isEmpty)
        for block in shellBlocks {
            let run = try Program.run("/bin/bash", ["-n"], standardInput: block)
            #expect(run.status == 0, "not valid shell in \(document):\n\(block)\n\(run.errors)")
        }
    }

    @Test(.enabled(if: Python.interpreter != nil, "needs python3"), arguments: documents)
    func pythonBlocksParse(_ document: String) throws {
        let python = try #require(Python.interpreter)
        for block in blocks(try Repository.text(document), language: "python") {
            let run = try Program.run(python, ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], standardInput: block)
            #expect(run.status == 0, "not valid Python in \(document):\n\(block)\n\(run.errors)")
        }
    }

    @Test(arguments: documents)
    func everyRepositoryFileAndUnitNamedExists(_ document: String) throws {
        let text = try Repository.text(document)
        let paths = Set(try matches(#"(?<![\w/.$-])((?:systemd|Examples|scripts|docs)/[\w@.\-/]*\w)"#, in: text))
        #expect(paths.contains("systemd/jobq.env.example") || paths.contains("Examples/python-worker/ingest.py"))
        for path in paths {
            #expect(FileManager.default.fileExists(atPath: Repository.path(path)), "\(document) names \(path), which does not exist")
        }
        for target in try matches(#"\]\(([\w.\-/]+\.md)\)"#, in: text) {
            let resolved = URL(fileURLWithPath: Repository.path(document)).deletingLastPathComponent().appendingPathComponent(target).path
            #expect(FileManager.default.fileExists(atPath: resolved), "\(document) links to \(target), which does not exist")
        }
        let units = Set(try matches(#"(jobq-(?:supervisor|drain)@[\w.*-]*)"#, in: text))
        #expect(!units.isEmpty)
        for name in units {
            let template = name.prefix { $0 != "@" } + (name.hasSuffix(".timer") ? "@.timer" : "@.service")
            #expect(FileManager.default.fileExists(atPath: Repository.path("systemd/\(template)")), "\(document) names \(name): no systemd/\(template)")
        }
    }

    @Test(arguments: documents)
    func everyCommandAndOptionShownExists(_ document: String) throws {
        let jobqHelp = try Program.run(Binaries.path("jobq"), ["--help"]).output
        let workerHelp = try Program.run(Binaries.path("ingest-worker"), ["--help"]).output
        var missingSubcommands: Set<String> = []
        var checked = 0
        for line in try shellLines(document) {
            let words = line.split(separator: " ").map(String.init)
            guard let program = words.first else { continue }
            if program == "ingest-worker" {
                for option in options(words.dropFirst()) {
                    #expect(help(workerHelp, lists: option), "\(document): ingest-worker has no \(option): \(line)")
                    checked += 1
                }
            } else if program == "jobq", words.count > 1 {
                let subcommand = words[1]
                guard jobqHelp.split(separator: "\n").contains(where: { $0.hasPrefix("  \(subcommand) ") || $0 == "  \(subcommand)" }) else {
                    missingSubcommands.insert(subcommand)
                    continue
                }
                var path = [subcommand]
                var subcommandHelp = try Program.run(Binaries.path("jobq"), [subcommand, "--help"]).output
                // A command group (jobq schedule add ...): check the options against the nested command.
                if words.count > 2, subcommandHelp.contains("SUBCOMMANDS:"),
                   subcommandHelp.split(separator: "\n").contains(where: { $0.hasPrefix("  \(words[2]) ") || $0 == "  \(words[2])" }) {
                    path.append(words[2])
                    subcommandHelp = try Program.run(Binaries.path("jobq"), path + ["--help"]).output
                }
                for option in options(words.dropFirst(1 + path.count)) {
                    #expect(help(subcommandHelp, lists: option), "\(document): jobq \(subcommand) has no \(option): \(line)")
                    checked += 1
                }
                checked += 1
            }
        }
        #expect(checked > 0, "\(document) shows jobq or ingest-worker commands")
        #expect(missingSubcommands.isEmpty, "\(document) uses jobq subcommands that do not exist: \(missingSubcommands.sorted())")
    }

    @Test func redisCommandsShownRunAgainstAFreshRedis() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let connection = try RedisConnection(configuration: RedisConfiguration(url: server.url))
        let queue = Queue(name: try QueueName("ingest"), connection: connection)

        /// Runs the document's redis-cli lines, each pointed at the private server.
        func runRedisLines(of document: String) throws -> [String: String] {
            var outputs: [String: String] = [:]
            for line in try shellLines(document) where line.hasPrefix("redis-cli ") {
                let pointed = line.replacingOccurrences(of: "redis-cli ", with: "redis-cli -p \(server.port) ")
                let run = try Program.run("/bin/bash", ["-c", pointed])
                #expect(run.status == 0 && !run.output.contains("ERR") && !run.errors.contains("ERR"), "\(document): \(line) failed: \(run.output)\(run.errors)")
                outputs[line] = run.output
            }
            return outputs
        }

        // migrating.md pushes a job as any producer would: it is a valid waiting job.
        let migrating = try runRedisLines(of: "docs/migrating.md")
        #expect(!migrating.isEmpty)
        #expect(try queue.counts().waiting == 1)

        // deploying.md configures Redis as jobq needs, then removes the queue's data.
        let deploying = try runRedisLines(of: "docs/deploying.md")
        #expect(deploying["redis-cli CONFIG GET maxmemory-policy"]?.contains("noeviction") == true)
        let appendonly = try connection.command(["CONFIG", "GET", "appendonly"]).array?.compactMap(\.string)
        #expect(appendonly == ["appendonly", "yes"])
        #expect(try queue.counts().waiting == 0, "the removal commands deleted the queue's jobs")
        let keys = try connection.command(["KEYS", "jobq:{ingest}:*"]).array ?? []
        #expect(keys.isEmpty)
    }
}
