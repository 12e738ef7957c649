extension HostAdmission {
    /// The check the supervisor asks before each worker launch: reads the host's load, CPU
    /// pressure and available memory (small files under `/proc`, no process scan) and returns the
    /// reasons to defer the launch, none to go ahead.
    /// - Parameter probe: where to read from; the live host by default.
    public func launchCheck(probe: HostProbe = HostProbe()) -> @Sendable () -> [String] {
        { [self] in
            switch check(probe.snapshot(.admission)) {
            case .admit: return []
            case .defer(let reasons): return reasons
            }
        }
    }
}
