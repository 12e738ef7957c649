/// Where a command's key is, so that a cluster connection sends it to the node that owns the key's
/// slot. Only the first key routes: a command's keys must share a slot anyway (`CROSSSLOT`).
enum CommandKeys {
    /// The key that routes `arguments`, or `nil` for a command without keys, which any node can
    /// answer (PING, INFO, TIME, CONFIG, FUNCTION, SCRIPT, CLUSTER, CLIENT, HELLO, SCAN ...).
    static func routingKey(_ arguments: [RedisArgument]) -> [UInt8]? {
        guard let first = arguments.first else { return nil }
        let name = String(decoding: first.bytes, as: UTF8.self).uppercased()
        switch name {
        case "FCALL", "FCALL_RO", "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO":
            // FCALL name numkeys key ... arg ...
            guard arguments.count > 3, let count = Int(String(decoding: arguments[2].bytes, as: UTF8.self)), count > 0 else { return nil }
            return arguments[3].bytes
        case "MEMORY", "OBJECT", "XINFO":
            // Subcommand first: MEMORY USAGE key, OBJECT ENCODING key.
            return arguments.count > 2 ? arguments[2].bytes : nil
        default:
            if keyless.contains(name) { return nil }
            return arguments.count > 1 ? arguments[1].bytes : nil
        }
    }

    /// Whether the command acts on the writes sent before it on the same connection (`WAIT`), so
    /// that in a cluster it must go to the node the previous command of its batch went to.
    static func followsPrevious(_ arguments: [RedisArgument]) -> Bool {
        guard let first = arguments.first, first.bytes.count == 4 else { return false }
        return String(decoding: first.bytes, as: UTF8.self).uppercased() == "WAIT"
    }

    /// Commands that name no key.
    private static let keyless: Set<String> = [
        "ACL", "ASKING", "AUTH", "BGREWRITEAOF", "BGSAVE", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "DBSIZE", "DEBUG",
        "ECHO", "FLUSHALL", "FLUSHDB", "FUNCTION", "HELLO", "INFO", "KEYS", "LASTSAVE", "LATENCY", "LOLWUT", "MODULE",
        "MONITOR", "PING", "QUIT", "RANDOMKEY", "READONLY", "READWRITE", "ROLE", "SAVE", "SCAN", "SCRIPT", "SELECT",
        "SHUTDOWN", "SLOWLOG", "SWAPDB", "TIME", "WAIT",
    ]
}
