/// Why a dashboard request was refused or failed, with the HTTP status it is answered with.
public struct WebError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// No such queue or job (404).
        public static let notFound = Code(rawValue: "notFound")
        /// An action without `--allow-actions`, without the right token, or from another site (403).
        public static let forbidden = Code(rawValue: "forbidden")
        /// An action sent with a form's content type (415).
        public static let unsupportedMediaType = Code(rawValue: "unsupportedMediaType")
        /// A malformed queue name or job id (400).
        public static let badRequest = Code(rawValue: "badRequest")
        /// Redis failed or could not be reached (502).
        public static let redis = Code(rawValue: "redis")
        /// The token file cannot be used (at startup).
        public static let tokenFile = Code(rawValue: "tokenFile")
    }

    /// What kind of failure.
    public var code: Code
    /// What went wrong, in words a person can act on.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The HTTP status code the failure is answered with.
    public var status: Int {
        switch code {
        case .notFound: return 404
        case .forbidden: return 403
        case .unsupportedMediaType: return 415
        case .badRequest: return 400
        default: return 502
        }
    }

    public var description: String { message }
}
