import Foundation

/// Masks credentials in text that jobq prints or stores but did not write itself: other processes'
/// command lines, unit definitions, a worker's command, error text. Every such string goes through
/// here before it is shown, logged or written to Redis.
///
/// Masked, with `***`:
/// - the password of a URL: `redis://user:secret@host` → `redis://user:***@host` (any scheme);
/// - the value of a password option, separate or after `=`: `-a`, `--pass`, `--password`,
///   `--requirepass`, `--masterauth`, `--auth`;
/// - the value of a `NAME=value` pair whose name contains `pass`, `secret` or `token` (any case),
///   as in an environment dump or a `redis.conf` line, and of `requirepass value`.
public enum SecretRedaction {
    /// What a secret is replaced with.
    public static let mask = "***"

    /// Options whose next argument (or `=value`) is a password.
    static let passwordOptions: Set<String> = ["-a", "--pass", "--password", "--requirepass", "--masterauth", "--auth"]

    /// An argument vector with every credential masked; the same number of arguments.
    public static func redact(arguments: [String]) -> [String] {
        var result: [String] = []
        result.reserveCapacity(arguments.count)
        var previousTakesPassword = false
        for argument in arguments {
            if previousTakesPassword {
                result.append(mask)
                previousTakesPassword = false
                continue
            }
            if passwordOptions.contains(argument) {
                previousTakesPassword = true
                result.append(argument)
                continue
            }
            result.append(redact(argument))
        }
        return result
    }

    /// Free text (a command line, an error message, an environment dump) with every credential masked.
    public static func redact(_ text: String) -> String {
        var result = text
        for rule in rules {
            result = rule.expression.stringByReplacingMatches(
                in: result, range: NSRange(result.startIndex..., in: result), withTemplate: rule.template)
        }
        return result
    }

    private struct Rule: Sendable {
        let expression: NSRegularExpression
        let template: String

        init(_ pattern: String, _ template: String) {
            // The patterns are constants; a bad one is a programming error caught by the tests.
            expression = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
            self.template = template
        }
    }

    /// ``passwordOptions`` as a regular-expression alternation.
    private static let optionPattern = passwordOptions.sorted().joined(separator: "|")

    private static let rules: [Rule] = [
        // scheme://user:password@  and  scheme://:password@
        Rule(#"([a-z][a-z0-9+.\-]*://[^\s:/@]*:)[^\s@]+@"#, "$1\(mask)@"),
        // --password=value, --requirepass=value ...
        Rule(#"(^|\s)("# + optionPattern + #")=\S+"#, "$1$2=\(mask)"),
        // --password value, -a value ...
        Rule(#"(^|\s)("# + optionPattern + #")\s+(?!-)\S+"#, "$1$2 \(mask)"),
        // NAME=value where the name says it is a secret: JOBQ_REDIS_PASSWORD=..., password=..., api_token=...
        Rule(#"(\b[a-z0-9_.\-]*(?:pass|secret|token)[a-z0-9_.\-]*=)[^\s&;]+"#, "$1\(mask)"),
        // requirepass value (redis.conf, CONFIG SET)
        Rule(#"(\b(?:requirepass|masterauth)\s+)(?!\*\*\*)\S+"#, "$1\(mask)"),
    ]
}
