/// Finds where an HTML tag ends without being fooled by quoted attribute values: in
/// `<a title="1 > 0" data-x='>'>` only the last `>` closes the tag.
enum HTMLTagScanner {
    /// The index just past the `>` that closes a tag, or `nil` when no `>` outside quotes comes
    /// before `limit`.
    ///
    /// A `"` or `'` opens a quoted value that only the same quote character closes; a `>` inside
    /// it does not end the tag.
    /// - Parameters:
    ///   - bytes: The text holding the tag.
    ///   - start: Where to start looking: after the `<` and the tag's name.
    ///   - limit: The index to stop looking at.
    static func indexAfterTag(in bytes: [UInt8], from start: Int, upTo limit: Int) -> Int? {
        var quote: UInt8?
        var position = start
        while position < limit {
            let byte = bytes[position]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return position + 1
            }
            position += 1
        }
        return nil
    }
}
