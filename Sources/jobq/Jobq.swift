import ArgumentParser
import JobQueue

@main
struct Jobq: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobq",
        abstract: "A reliable Redis job queue with a capped, on-demand worker supervisor.",
        discussion: """
        Redis is found from --redis, else JOBQ_REDIS_URL, else REDIS_URL, else redis://127.0.0.1:6379/0. \
        A password may also come from JOBQ_REDIS_PASSWORD or the file named by JOBQ_REDIS_PASSWORD_FILE; \
        behind Sentinel (redis+sentinel://), the sentinels' own password from JOBQ_SENTINEL_PASSWORD or \
        the file named by JOBQ_SENTINEL_PASSWORD_FILE.
        """,
        subcommands: [
            EnqueueCommand.self, ShowCommand.self, HistoryCommand.self, DeadCommand.self, RetentionCommand.self, RetryCommand.self, CancelCommand.self,
            PauseCommand.self, ResumeCommand.self, LimitCommand.self, LocksCommand.self, SuperviseCommand.self,
            BreakerCommand.self, StatsCommand.self, DiagnoseCommand.self, EmergencyStopCommand.self, ScheduleCommand.self, BenchCommand.self, WebCommand.self,
        ]
    )

    /// Logs go to stderr, so that stdout carries only the command's output (without timestamps of
    /// their own when stderr is the systemd journal).
    static func main() {
        StandardErrorLogging.bootstrap()
        main(nil)
    }
}
