/// Asks `systemctl` for failed units and for the restart settings of every loaded service.
struct SystemdInspector: Sendable {
    /// Runs `systemctl` from the probe's search path.
    var runner: CommandRunner

    /// Inspects systemd. Returns `.unavailable` when `systemctl` is missing or cannot reach systemd;
    /// appends a note when only the per-service details failed.
    func inspect(notes: inout [String]) -> SystemdState {
        guard let systemctl = runner.locate("systemctl") else {
            return .unavailable(reason: "systemctl was not found on PATH (\(runner.searchPath))")
        }
        let failedRows: [SystemctlOutput.UnitRow]
        let serviceRows: [SystemctlOutput.UnitRow]
        do {
            failedRows = SystemctlOutput.unitRows(try answer(systemctl, ["list-units", "--failed"]))
            serviceRows = SystemctlOutput.unitRows(try answer(systemctl, ["list-units", "--type=service", "--all"]))
        } catch {
            return .unavailable(reason: error.message)
        }
        let failedUnits = failedRows.map { FailedUnit(name: $0.name, description: $0.description) }
        var serviceNames = serviceRows.filter { $0.loadState == "loaded" }.map(\.name)
        for failed in failedRows where failed.name.hasSuffix(".service") && !serviceNames.contains(failed.name) {
            serviceNames.append(failed.name)
        }
        guard !serviceNames.isEmpty else {
            return .available(SystemdInventory(failedUnits: failedUnits, services: []))
        }
        let properties = "--property=" + SystemctlOutput.serviceProperties.joined(separator: ",")
        do {
            let shown = try answer(systemctl, ["show", properties] + serviceNames)
            return .available(SystemdInventory(failedUnits: failedUnits, services: SystemctlOutput.services(shown)))
        } catch {
            notes.append("Service restart settings are missing: \(error.message)")
            return .available(SystemdInventory(failedUnits: failedUnits, services: []))
        }
    }

    /// Runs one `systemctl` query and returns its standard output, or throws when it failed.
    private func answer(_ systemctl: String, _ query: [String]) throws(SystemctlFailure) -> String {
        let arguments = ["--no-pager", "--plain", "--no-legend"] + query
        let output: CommandOutput
        do {
            output = try runner.run(systemctl, arguments)
        } catch {
            throw SystemctlFailure(code: .didNotRun, message: error.description, underlying: error)
        }
        guard output.status == 0 else {
            let firstLine = output.standardError.split(separator: "\n").first.map(String.init)
            throw SystemctlFailure(
                code: .refused,
                message: firstLine ?? "systemctl \(query.joined(separator: " ")) exited with status \(output.status)",
                underlying: nil
            )
        }
        return output.standardOutput
    }
}

/// `systemctl` gave no answer (systemd not running, bus unreachable, timeout).
private struct SystemctlFailure: Error {
    /// The kind of failure.
    enum Code {
        /// systemctl could not be started or was killed after the timeout.
        case didNotRun
        /// systemctl ran and exited with a failure status.
        case refused
    }

    /// The kind of failure.
    var code: Code
    /// What went wrong, in systemctl's own words where it gave any.
    var message: String
    /// The launch or timeout error, when systemctl did not run to completion.
    var underlying: HostCommandError?
}
