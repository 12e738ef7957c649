/// The fields of an `INFO` reply: `name:value` lines, section headers (`# Memory`) skipped.
public enum RedisInfo {
    /// Parses the text of an `INFO` reply into its fields.
    public static func fields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return fields
    }
}
