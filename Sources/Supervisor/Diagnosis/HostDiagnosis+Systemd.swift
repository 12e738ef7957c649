import HumanUnits

extension HostDiagnosis {
    /// `systemd.unavailable`, `systemd.failedUnit`, `systemd.restartLoop` and `systemd.startLimitUnreachable`.
    func systemdFindings(_ snapshot: HostSnapshot) -> [Finding] {
        switch snapshot.systemd {
        case nil:
            return []
        case .unavailable(let reason):
            return [Finding(
                severity: .info, code: .systemdUnavailable,
                title: "systemd could not be asked, so failed units and restart loops were not checked",
                evidence: [reason]
            )]
        case .available(let inventory):
            let mostRestartedFirst = inventory.services.enumerated().sorted { left, right in
                let (leftCount, rightCount) = (left.element.restartCount ?? 0, right.element.restartCount ?? 0)
                return leftCount != rightCount ? leftCount > rightCount : left.offset < right.offset
            }.map(\.element)
            return inventory.failedUnits.map(failedUnitFinding)
                + mostRestartedFirst.compactMap(restartLoopFinding)
                + mostRestartedFirst.compactMap(startLimitFinding)
        }
    }

    private func failedUnitFinding(_ unit: FailedUnit) -> Finding {
        Finding(
            severity: .warning, code: .failedUnit,
            title: "\(unit.name) has failed",
            evidence: [
                unit.description.isEmpty ? "no description" : "\"\(unit.description)\"",
                "a failed unit stays down until it is restarted by hand",
            ],
            fix: ["journalctl -u \(unit.name) -n 50 --no-pager", "systemctl restart \(unit.name)"]
        )
    }

    private func restartLoopFinding(_ service: ServiceStatus) -> Finding? {
        guard let restarts = service.restartCount, let severity = severity(
            of: restarts, warning: configuration.restartWarningCount, critical: configuration.restartCriticalCount
        ) else { return nil }
        var evidence = [
            "NRestarts=\(restarts), now \(service.activeState) (\(service.subState))",
            "Restart=\(service.restartPolicy), RestartSec=\(service.restartDelay?.description ?? "unknown")",
        ]
        if let delay = service.restartDelay, let seconds = delay.seconds, Double(restarts) * seconds >= 60 {
            evidence.append(
                "\(restarts) restarts × \(delay) = at least \(DurationText.readable(seconds: Double(restarts) * seconds))"
                    + " of crash-looping, each start paying the full start-up cost"
            )
        }
        if let command = service.command { evidence.append("ExecStart: \(command)") }
        return Finding(
            severity: severity, code: .restartLoop,
            title: "\(service.name) has been restarted \(restarts) times: it is crash-looping",
            evidence: evidence,
            fix: ["systemctl stop \(service.name)", "journalctl -u \(service.name) -n 100 --no-pager"]
        )
    }

    /// The trap: with `RestartSec × StartLimitBurst ≥ StartLimitIntervalSec`, restarts never come fast
    /// enough to exceed the start limit, so systemd restarts a crashing service forever.
    private func startLimitFinding(_ service: ServiceStatus) -> Finding? {
        guard service.restartsAfterCrash, let delay = service.restartDelay,
              case .finite(let delayMicroseconds) = delay,
              let interval = service.startLimitInterval, let burst = service.startLimitBurst
        else { return nil }
        let arithmetic: [String]
        if interval.disablesLimit || burst <= 0 {
            arithmetic = [
                "StartLimitIntervalSec=\(interval), StartLimitBurst=\(burst): the start limit is disabled",
            ]
        } else {
            guard case .finite(let intervalMicroseconds) = interval else { return nil }
            let (windowMicroseconds, overflow) = delayMicroseconds.multipliedReportingOverflow(by: UInt64(burst))
            guard overflow || windowMicroseconds >= intervalMicroseconds else { return nil }
            let spacing = SystemdTimeSpan.finite(microseconds: intervalMicroseconds / UInt64(burst))
            let window = overflow ? SystemdTimeSpan.infinity : .finite(microseconds: windowMicroseconds)
            arithmetic = [
                "StartLimitBurst=\(burst) starts per StartLimitIntervalSec=\(interval): the limit trips only when"
                    + " starts come faster than one every \(interval) ÷ \(burst) = \(spacing)",
                "RestartSec=\(delay) × \(burst) = \(window) ≥ \(interval): \(burst) restarts never fit in one"
                    + " window, so systemd never gives up",
            ]
        }
        let suggestedBurst = burst > 0 ? burst : 5
        let suggestedInterval = Self.suggestedStartLimitInterval(delay: delay, burst: suggestedBurst)
        let dropIn = "/etc/systemd/system/\(service.name).d"
        return Finding(
            severity: .warning, code: .startLimitUnreachable,
            title: "\(service.name) would restart forever: its start limit can never trip",
            evidence: ["Restart=\(service.restartPolicy), RestartSec=\(delay)"] + arithmetic,
            fix: [
                "mkdir -p \(dropIn)",
                "printf '[Unit]\\nStartLimitIntervalSec=\(suggestedInterval)\\nStartLimitBurst=\(suggestedBurst)\\n'"
                    + " > \(dropIn)/start-limit.conf",
                "systemctl daemon-reload",
            ]
        )
    }

    /// A start-limit window that `burst` restarts `delay` apart fit into twice over, at least 5 minutes,
    /// in whole minutes.
    private static func suggestedStartLimitInterval(delay: SystemdTimeSpan, burst: Int) -> SystemdTimeSpan {
        let minute: UInt64 = 60_000_000
        guard case .finite(let delayMicroseconds) = delay else { return .infinity }
        let (needed, overflow) = delayMicroseconds.multipliedReportingOverflow(by: UInt64(burst) * 2)
        guard !overflow, needed < UInt64.max - minute else { return .infinity }
        return .finite(microseconds: max(5 * minute, (needed + minute - 1) / minute * minute))
    }
}
