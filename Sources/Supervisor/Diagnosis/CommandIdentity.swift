/// Reduces a command line to what it runs, so the same worker started in different ways compares equal:
/// `/usr/bin/python3 -u /srv/app/scripts/fast_worker.py` and `poetry run python fast_worker.py` both
/// become `fast_worker.py`, and `python -m app.worker` becomes `app.worker`.
///
/// Wrappers (`env`, `nohup`, `nice`, `setsid`, `stdbuf`, `ionice`), project runners (`poetry run`,
/// `uv run`, `pipenv run`, `pdm run`, `bundle exec`, `npx`) and interpreters (python, node, ruby,
/// perl, php, shells) are dropped with their options; the script is kept by file name with its
/// arguments.
enum CommandIdentity {
    /// The identity of an argument vector; empty for an empty vector.
    static func of(_ arguments: [String]) -> String {
        var remaining = arguments[...]
        while let first = remaining.first {
            let program = fileName(first)
            if program == "env" {
                remaining = remaining.dropFirst().drop { $0.hasPrefix("-") || $0.contains("=") }
            } else if wrappers.contains(program) {
                remaining = dropOptions(remaining.dropFirst())
            } else if let verb = runners[program], remaining.dropFirst().first == verb {
                remaining = remaining.dropFirst(2)
            } else if program == "npx" {
                remaining = remaining.dropFirst()
            } else if isInterpreter(program) {
                remaining = remaining.dropFirst()
                while let option = remaining.first, option.hasPrefix("-"), option != "-" {
                    if option == "-m", remaining.count >= 2 {
                        return remaining.dropFirst().joined(separator: " ")
                    }
                    if option == "-c" { return remaining.joined(separator: " ") }
                    remaining = remaining.dropFirst(optionsWithValue.contains(option) ? 2 : 1)
                }
            } else {
                return ([program] + remaining.dropFirst()).joined(separator: " ")
            }
        }
        return ""
    }

    /// Programs that run the rest of their arguments as a command.
    private static let wrappers: Set<String> = ["nohup", "setsid", "nice", "ionice", "stdbuf", "chrt", "taskset"]
    /// Project tools whose `<tool> <verb>` runs the rest as a command.
    private static let runners: [String: String] = [
        "poetry": "run", "uv": "run", "pipenv": "run", "pdm": "run", "rye": "run", "hatch": "run",
        "bundle": "exec",
    ]
    /// Options of wrappers and interpreters that take a separate value.
    private static let optionsWithValue: Set<String> = ["-n", "-c", "-p", "-o", "-e", "-i", "-W", "-X", "-r", "--require"]

    private static func dropOptions(_ arguments: ArraySlice<String>) -> ArraySlice<String> {
        var remaining = arguments
        while let option = remaining.first, option.hasPrefix("-") || option.allSatisfy(\.isNumber) {
            remaining = remaining.dropFirst(optionsWithValue.contains(option) ? 2 : 1)
        }
        return remaining
    }

    private static func isInterpreter(_ program: String) -> Bool {
        if ["node", "nodejs", "ruby", "perl", "php", "bash", "sh", "dash", "zsh"].contains(program) { return true }
        guard program.hasPrefix("python") else { return false }
        return program.dropFirst("python".count).allSatisfy { $0.isNumber || $0 == "." }
    }

    /// The last path component; an argument with spaces is a process title (`nginx: worker process`)
    /// rather than a path and is kept whole.
    private static func fileName(_ argument: String) -> String {
        guard !argument.contains(" ") else { return argument }
        return argument.split(separator: "/").last.map(String.init) ?? argument
    }
}
