/// A Lua script. Run with FCALL as a Redis function where the server has them (7.0 and later): the
/// library is loaded once and its shared code is not rebuilt on every call. Elsewhere it runs with
/// EVALSHA: the source is sent once per connection (SCRIPT LOAD) and again only when the server
/// has forgotten it. Either way the Lua that runs is the same.
public struct RedisScript: Sendable {
    /// The same code as a Redis function library.
    public struct Function: Sendable {
        /// The function's name (also the library's), unique to this code: a changed script gets a
        /// new name, so several versions never collide on one server.
        public let name: String
        /// The library source, for FUNCTION LOAD.
        public let library: String
        /// ``name`` as the argument of FCALL, encoded once rather than on every call.
        let nameArgument: RedisArgument

        /// Creates a function description.
        public init(name: String, library: String) {
            self.name = name
            self.library = library
            nameArgument = RedisArgument(name)
        }
    }

    /// A stable name, used to cache the script's SHA1 per connection.
    public let name: String
    /// The Lua source, for EVAL: its parts joined by newlines, assembled when asked for (only where
    /// the server has no functions). The scripts of a library share its code; a whole copy in each
    /// would keep that code in memory once per script for the life of the process.
    public var source: String { sourceParts.joined(separator: "\n") }
    /// The same code as a function library, or `nil` to always use EVALSHA.
    public let function: Function?
    private let sourceParts: [String]

    /// Creates a script.
    public init(name: String, source: String, function: Function? = nil) {
        self.init(name: name, sourceParts: [source], function: function)
    }

    /// Creates a script whose source is `sourceParts` joined by newlines.
    init(name: String, sourceParts: [String], function: Function?) {
        self.name = name
        self.sourceParts = sourceParts
        self.function = function
    }
}
