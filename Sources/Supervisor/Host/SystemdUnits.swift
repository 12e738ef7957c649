import RedisClient

/// What the probe learned from systemd.
public enum SystemdState: Sendable, Equatable {
    /// systemd answered; the inventory lists failed units and service restart settings.
    case available(SystemdInventory)
    /// systemd could not be asked (no `systemctl`, or systemd is not the init system); unit checks are skipped.
    case unavailable(reason: String)
}

/// Failed units and the restart settings of every loaded service.
public struct SystemdInventory: Sendable, Equatable {
    /// Units in the `failed` state.
    public var failedUnits: [FailedUnit]
    /// Loaded service units with their restart settings and counters.
    public var services: [ServiceStatus]

    /// Creates an inventory.
    public init(failedUnits: [FailedUnit], services: [ServiceStatus]) {
        self.failedUnits = failedUnits
        self.services = services
    }
}

/// A unit that `systemctl list-units --failed` reports.
public struct FailedUnit: Sendable, Equatable {
    /// The unit name (`nginx.service`).
    public var name: String
    /// The unit's description.
    public var description: String

    /// Creates a failed-unit record.
    public init(name: String, description: String) {
        self.name = name
        self.description = description
    }
}

/// The restart-related properties of a service, from `systemctl show`.
public struct ServiceStatus: Sendable, Equatable {
    /// The unit name (`rivet-worker.service`).
    public var name: String
    /// `ActiveState` (`active`, `activating`, `failed`, ...).
    public var activeState: String
    /// `SubState` (`running`, `auto-restart`, ...).
    public var subState: String
    /// `Restart=` policy (`no`, `always`, `on-failure`, ...).
    public var restartPolicy: String
    /// `RestartSec=`, the delay before each automatic restart.
    public var restartDelay: SystemdTimeSpan?
    /// `StartLimitIntervalSec=`, the window in which starts are counted.
    public var startLimitInterval: SystemdTimeSpan?
    /// `StartLimitBurst=`, the number of starts allowed per window.
    public var startLimitBurst: Int?
    /// `NRestarts`, automatic restarts since the unit was last started by hand (systemd 235 and later).
    public var restartCount: Int?
    /// The first `ExecStart=` command line.
    public var command: String?

    /// Creates a service record.
    public init(
        name: String, activeState: String, subState: String, restartPolicy: String,
        restartDelay: SystemdTimeSpan?, startLimitInterval: SystemdTimeSpan?, startLimitBurst: Int?,
        restartCount: Int?, command: String?
    ) {
        self.name = name
        self.activeState = activeState
        self.subState = subState
        self.restartPolicy = restartPolicy
        self.restartDelay = restartDelay
        self.startLimitInterval = startLimitInterval
        self.startLimitBurst = startLimitBurst
        self.restartCount = restartCount
        self.command = command
    }

    /// Whether systemd restarts the service when it crashes (every policy but `no` and `on-success`).
    public var restartsAfterCrash: Bool {
        ["always", "on-failure", "on-abnormal", "on-abort", "on-watchdog"].contains(restartPolicy)
    }
}

/// Parsers for `systemctl` output.
enum SystemctlOutput {
    /// One row of `systemctl list-units --plain --no-legend`.
    struct UnitRow: Equatable {
        var name: String
        var loadState: String
        var activeState: String
        var subState: String
        var description: String
    }

    /// Parses `list-units --plain --no-legend` rows; a leading status bullet is ignored.
    static func unitRows(_ text: String) -> [UnitRow] {
        text.split(separator: "\n").compactMap { line in
            var fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first == "●" || first == "*" { fields.removeFirst() }
            guard fields.count >= 4 else { return nil }
            return UnitRow(
                name: String(fields[0]), loadState: String(fields[1]), activeState: String(fields[2]),
                subState: String(fields[3]), description: fields.dropFirst(4).joined(separator: " ")
            )
        }
    }

    /// The properties requested from `systemctl show` for each service.
    static let serviceProperties = [
        "Id", "ActiveState", "SubState", "Restart", "RestartUSec", "StartLimitIntervalUSec",
        "StartLimitBurst", "NRestarts", "ExecStart",
    ]

    /// Parses `systemctl show -p ... unit...`: one `Key=value` block per unit, blocks separated by blank lines.
    /// Blocks without an `Id` are skipped.
    static func services(_ text: String) -> [ServiceStatus] {
        var services: [ServiceStatus] = []
        var block: [String: String] = [:]
        func finishBlock() {
            defer { block = [:] }
            guard let name = block["Id"], !name.isEmpty else { return }
            services.append(ServiceStatus(
                name: name,
                activeState: block["ActiveState"] ?? "",
                subState: block["SubState"] ?? "",
                restartPolicy: block["Restart"] ?? "",
                restartDelay: block["RestartUSec"].flatMap(SystemdTimeSpan.init(parsing:)),
                startLimitInterval: block["StartLimitIntervalUSec"].flatMap(SystemdTimeSpan.init(parsing:)),
                startLimitBurst: block["StartLimitBurst"].flatMap { Int($0) },
                restartCount: block["NRestarts"].flatMap { Int($0) },
                command: block["ExecStart"].flatMap(commandLine(execStart:))
            ))
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingWhitespace.isEmpty {
                finishBlock()
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            block[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        finishBlock()
        return services
    }

    /// Extracts the command, credentials masked, from an `ExecStart=` value such as
    /// `{ path=/usr/bin/python3 ; argv[]=/usr/bin/python3 worker.py ; ignore_errors=no ; ... }`.
    static func commandLine(execStart value: String) -> String? {
        guard let start = value.range(of: "argv[]=") else {
            let trimmed = value.trimmingWhitespace
            return trimmed.isEmpty ? nil : SecretRedaction.redact(trimmed)
        }
        let rest = value[start.upperBound...]
        let end = rest.range(of: " ;")?.lowerBound ?? rest.endIndex
        let command = rest[..<end].trimmingWhitespace
        return command.isEmpty ? nil : SecretRedaction.redact(command)
    }
}
