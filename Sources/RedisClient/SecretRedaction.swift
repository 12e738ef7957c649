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
        // Every rule's match holds one of the markers; most text (a worker's own command line, at
        // every heartbeat) has none and is returned without running the patterns. Only ASCII text
        // takes this way: there lowercasing is exactly the patterns' case-insensitive match.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            let lowered = text.lowercased()
            guard markers.contains(where: { lowered.contains($0) }) else { return text }
        }
        var result = text
        for rule in rules {
            result.replace(rule.expression) { match in rule.replacement(match.output) }
        }
        return result
    }

    /// A pattern and what a match becomes: the template with `$1`, `$2`... replaced by the groups.
    ///
    /// Swift's own regular expressions, not `NSRegularExpression`: that runs on ICU, whose regex
    /// engine and data would be paged into every worker by its heartbeat (which masks the worker's
    /// command line).
    private struct Rule: @unchecked Sendable {  // Regex<AnyRegexOutput> is immutable but not marked Sendable.
        let expression: Regex<AnyRegexOutput>
        let template: String

        init(_ pattern: String, _ template: String) {
            // The patterns are constants; a bad one is a programming error caught by the tests.
            expression = try! Regex(pattern).ignoresCase().wordBoundaryKind(.simple)
            self.template = template
        }

        func replacement(_ groups: AnyRegexOutput) -> String {
            var text = ""
            var rest = Substring(template)
            while let dollar = rest.firstIndex(of: "$") {
                text += rest[..<dollar]
                let digits = rest[rest.index(after: dollar)...].prefix { $0.isASCII && $0.isNumber }
                if let group = Int(digits), group < groups.count {
                    text += groups[group].substring ?? ""
                    rest = rest[digits.endIndex...]
                } else {
                    text += "$"
                    rest = rest[rest.index(after: dollar)...]
                }
            }
            return text + rest
        }
    }

    /// What a text must contain (lowercased) for a rule to match: a URL, the short option `-a`, or
    /// a word every other option and secret name holds.
    static let markers = ["://", "-a", "pass", "auth", "secret", "token"]

    /// `a-z` for a character class of the case-insensitive patterns, with the two letters outside
    /// ASCII that fold into it (long s, Kelvin sign): Swift's case-insensitive match leaves them
    /// out of `[a-z]`, ICU's took them.
    private static let letters = "a-z\u{17F}\u{212A}"

    /// ``passwordOptions`` as a regular-expression alternation.
    private static let optionPattern = passwordOptions.sorted().joined(separator: "|")

    private static let rules: [Rule] = [
        // scheme://user:password@  and  scheme://:password@
        Rule(#"([\#(letters)][\#(letters)0-9+.\-]*://[^\s:/@]*:)[^\s@]+@"#, "$1\(mask)@"),
        // --password=value, --requirepass=value ...
        Rule(#"(^|\s)("# + optionPattern + #")=\S+"#, "$1$2=\(mask)"),
        // --password value, -a value ...
        Rule(#"(^|\s)("# + optionPattern + #")\s+(?!-)\S+"#, "$1$2 \(mask)"),
        // NAME=value where the name says it is a secret: JOBQ_REDIS_PASSWORD=..., password=..., api_token=...
        Rule(#"(\b[\#(letters)0-9_.\-]*(?:pass|secret|token)[\#(letters)0-9_.\-]*=)[^\s&;]+"#, "$1\(mask)"),
        // requirepass value (redis.conf, CONFIG SET)
        Rule(#"(\b(?:requirepass|masterauth)\s+)(?!\*\*\*)\S+"#, "$1\(mask)"),
    ]
}
