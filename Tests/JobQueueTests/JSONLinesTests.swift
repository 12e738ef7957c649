import JobQueue
import Testing

@Suite("JSON Lines payloads") struct JSONLinesTests {
    @Test func everyLineThatIsNotBlankIsOnePayloadAsWritten() throws {
        let payloads = try JSONLines.payloads(in: "{\"n\": 1}\n\n  \n[2]\n\"three\"\n", source: "jobs.jsonl")
        #expect(payloads == ["{\"n\": 1}", "[2]", "\"three\""])
    }

    @Test func theFirstBadLineIsNamedByItsNumberCountingBlankLines() throws {
        let error = try #require(throws: JobQueueError.self) {
            try JSONLines.payloads(in: "{\"n\":1}\n\n{\"n\":3,}\n{oops\n", source: "jobs.jsonl")
        }
        #expect(error.code == .invalidJob)
        #expect(error.message == "line 3 of jobs.jsonl is not valid JSON: expected a member name in quotes at byte 7")
    }
}
