/// A Lua script run with EVALSHA. The source is sent once per connection (SCRIPT LOAD) and again
/// only when the server has forgotten it.
public struct RedisScript: Sendable {
    /// A stable name, used to cache the script's SHA1 per connection.
    public let name: String
    /// The Lua source.
    public let source: String

    /// Creates a script.
    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }
}
