import ArgumentParser
import Processes

struct WebCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "Serve the dashboard, the stats JSON and Prometheus /metrics over HTTP (runs jobq-web).",
        discussion: """
        Runs the jobq-web program installed beside jobq with the same arguments: jobq web \
        [--listen 127.0.0.1:8080] [--allow-actions --token-file FILE] [--refresh SECONDS] [--redis URL]. \
        jobq web --help shows its options; docs/web.md describes the page, the API and how to expose it.
        """
    )

    @Argument(parsing: .captureForPassthrough, help: "Options for jobq-web.") var arguments: [String] = []

    func run() throws {
        do {
            try SiblingProgram.exec("jobq-web", arguments: arguments)
        } catch {
            printError(error.description)
            throw ExitCode(JobqExitStatus.failure)
        }
    }
}
