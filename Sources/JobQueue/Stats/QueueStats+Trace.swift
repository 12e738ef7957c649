extension QueueStats {
    /// Whether nothing shows the queue was ever used: no jobs, no live worker, no supervisor, no
    /// counted event. `jobq stats QUEUE` and the dashboard refuse such a name as unknown rather than
    /// show an empty queue that looks OK.
    public var showsNoTrace: Bool {
        let counts = jobs
        return counts.waiting + counts.delayed + counts.active + counts.dead + counts.parked == 0
            && workers.isEmpty && supervisor.state == .absent && counters.total == StatsCounters()
    }
}
