@testable import JobQueue
import Testing

@Suite("Job message size, computed without assembling the message") struct JobMessageSizeTests {
    @Test(arguments: [
        ("_18446744073709551615", "default", 3, nil, nil, "{}"),
        ("doc-1", "ingest.file", 1000, "api", "tenant-7", #"{"path":"/srv/kb/a.md"}"#),
        ("quote\"back\\slash", "tab\there", 1, "lim\niter", "cr\rkey", "null"),
        ("ctl\u{01}\u{1f}", "üñï©ødé", 42, "", "", #""😀""#),
    ] as [(String, String, Int, String?, String?, String)])
    func countIsTheAssembledMessagesLength(id: String, type: String, maxAttempts: Int, limiter: String?, concurrencyKey: String?, payload: String) {
        let bytes = Array(payload.utf8)
        let message = JobMessage.assemble(
            id: id, type: type, maxAttempts: maxAttempts, limiter: limiter, concurrencyKey: concurrencyKey, payload: bytes)
        #expect(JobMessage.assembledCount(
            id: id, type: type, maxAttempts: maxAttempts, limiter: limiter, concurrencyKey: concurrencyKey, payloadCount: bytes.count)
            == message.count)
    }
}
