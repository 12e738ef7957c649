/// Lua scripts that share code: one Redis function library where the server runs functions
/// (Redis 7 and later), one EVALSHA script each elsewhere. Either way the Lua that runs is the same.
///
/// A library is `shared` code (constants and local functions, defined once when the library is
/// loaded) and named script bodies. Every call first runs `prologue` (for instance, code that
/// derives key names from `KEYS`), then the body.
/// - As a function library (``source``), each script is registered as the function
///   `<library name>_<script name>`; ``RedisConnection/run(_:keys:arguments:)`` loads the whole
///   library the first time the server lacks one of its functions.
/// - For EVALSHA, each script is `shared`, `prologue` and its body, in that order.
///
/// The library's name ends with a fingerprint of all its code, so a server shared by processes of
/// different versions keeps each version's functions apart.
public struct RedisScriptLibrary: Sendable {
    /// The library's name on the server: the given name and a fingerprint of the code.
    public let name: String
    /// The library for `FUNCTION LOAD`.
    public let source: String
    private let scripts: [String: RedisScript]

    /// Assembles a library.
    /// - Parameters:
    ///   - name: A prefix for the library's and its functions' names: letters, digits and `_`.
    ///   - shared: Lua defined once, before every script.
    ///   - prologue: Lua run at the start of every call, before the script's body.
    ///   - scripts: Each script's name (letters, digits, `-` and `_`) and body. A body may end
    ///     with a `return`.
    ///   - readOnly: Names of scripts that never write: registered with the `no-writes` flag, so
    ///     they still run when Redis is at `maxmemory` and refuses writes (`OOM`).
    public init(name: String, shared: String, prologue: String, scripts: [(name: String, body: String)], readOnly: Set<String> = []) {
        let everything = ([shared, prologue] + scripts.flatMap { [$0.name, $0.body] } + readOnly.sorted()).joined(separator: "\n")
        let libraryName = name + "_" + Self.fingerprint(everything)
        let functionName = { (script: String) in libraryName + "_" + script.replacingOccurrences(of: "-", with: "_") }
        var source = "#!lua name=\(libraryName)\n\(shared)\n"
        for script in scripts {
            let flags = readOnly.contains(script.name) ? ", flags = {'no-writes'}" : ""
            source += "redis.register_function{function_name = '\(functionName(script.name))', callback = function(KEYS, ARGV)\n"
                + "\(prologue)\n\(script.body)\nend\(flags)}\n"
        }
        // Every script carries the whole library, so whichever runs first loads every function.
        self.scripts = Dictionary(uniqueKeysWithValues: scripts.map { script in
            (script.name, RedisScript(
                name: "\(name).\(script.name)", sourceParts: [shared, prologue, script.body],
                function: RedisScript.Function(name: functionName(script.name), library: source)))
        })
        self.name = libraryName
        self.source = source
    }

    /// The names of the library's scripts, sorted.
    public var scriptNames: [String] { scripts.keys.sorted() }

    /// The script with this name. A name the library does not have is a programming error.
    public func script(_ name: String) -> RedisScript {
        guard let script = scripts[name] else { preconditionFailure("no script '\(name)' in the Lua library \(self.name)") }
        return script
    }

    /// 64-bit FNV-1a of the code, in hex.
    private static func fingerprint(_ code: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in code.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
