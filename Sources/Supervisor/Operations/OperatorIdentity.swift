import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who runs an operator command, as recorded with stop requests and events: `user@host`.
public enum OperatorIdentity {
    /// `user@host`: the user who ran `sudo` when there is one, else the effective user.
    public static var current: String {
        let environment = ProcessInfo.processInfo.environment
        let user = environment["SUDO_USER"].flatMap { $0.isEmpty ? nil : $0 } ?? effectiveUserName ?? "uid \(geteuid())"
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }

    private static var effectiveUserName: String? {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }
}
