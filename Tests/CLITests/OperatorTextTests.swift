import Foundation
import JobQueue
import JobqTestSupport
import Testing

/// What an operator reads from `jobq` is exact: multi-line text keeps the layout, refusals and
/// errors say why, and exit statuses follow the table in docs/operations.md.
@Suite("jobq text an operator reads") struct OperatorTextTests {
    private func jobq(_ arguments: [String], input: String? = nil) throws -> CommandRun {
        try CommandRun.run("jobq", arguments, environment: ["JOBQ_REDIS_URL": try TestRedis.url()], input: input)
    }

    /// Dead-letters a job whose run failed with `error`, in a new queue.
    private func deadLetter(error: String) throws -> (queue: QueueName, id: String) {
        let name = try uniqueQueueName()
        let queue = Queue(name: name, connection: try TestRedis.connection())
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 1)).id
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { throw TestFailure("no job") }
        _ = try consumer.fail(job, error: error)
        return (name, id)
    }

    @Test func aMultiLineErrorIsOneEscapedLineInTheDeadListAndIsNotRepeated() throws {
        let (queue, id) = try deadLetter(error: "fetching /srv/a.md\n\tupstream said 503\nboom")
        let dead = try jobq(["dead", queue.rawValue])
        #expect(dead.status == 0)
        #expect(dead.lines.count == 1, "one line per dead letter, got: \(dead.standardOutput)")
        let line = try #require(dead.lines.first)
        #expect(line.hasPrefix(id))
        #expect(line.contains(#"failed 1 of 1 attempts: fetching /srv/a.md\n\tupstream said 503\nboom"#))
        #expect(line.components(separatedBy: "boom").count == 2, "the error is shown once")
    }

    @Test func showIndentsEveryContinuationLineUnderItsField() throws {
        let (queue, id) = try deadLetter(error: "first line\nsecond line")
        let shown = try jobq(["show", queue.rawValue, id])
        #expect(shown.status == 0)
        let lines = shown.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("dead reason:  failed 1 of 1 attempts: first line"))
        #expect(lines.contains("last error:   first line"))
        let continuations = lines.filter { $0.hasSuffix("second line") }
        #expect(continuations == ["              second line", "              second line"])
        for line in lines where !line.isEmpty && !line.hasPrefix(" ") {
            #expect(line.range(of: #"^[a-z ]+: +"#, options: .regularExpression) != nil, "'\(line)' is a field or an indented continuation")
        }
    }
}
