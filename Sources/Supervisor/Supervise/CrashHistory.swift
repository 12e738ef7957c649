/// The crashes that count toward the breaker: when each happened and which jobs the worker held.
///
/// A crash is forgiven when a job it held is later quarantined as poison: the job was to blame,
/// not the host, so one poison job never trips the breaker, however many crashes it took to
/// convict it.
struct CrashHistory {
    private struct Crash {
        let at: ContinuousClock.Instant
        let jobs: Set<String>
    }

    private var crashes: [Crash] = []

    /// Counts a crash.
    mutating func record(at instant: ContinuousClock.Instant, jobs: [String]) {
        crashes.append(Crash(at: instant, jobs: Set(jobs)))
    }

    /// Forgets the crashes in which any of `jobs` was in hand.
    mutating func forgive(jobs: [String]) {
        let convicted = Set(jobs)
        crashes.removeAll { !$0.jobs.isDisjoint(with: convicted) }
    }

    /// The crashes at or after `start`; older ones are dropped.
    mutating func count(since start: ContinuousClock.Instant) -> Int {
        crashes.removeAll { $0.at < start }
        return crashes.count
    }
}
