import HTTPTypes
import Hummingbird

/// Decides whether a POST may change anything: only with `--allow-actions`, only with the token in
/// the `X-Jobq-Token` header, only from the dashboard's own origin, never with a form's body.
///
/// A cross-site page can make a browser send a form (`application/x-www-form-urlencoded`,
/// `multipart/form-data`, `text/plain`) but not a custom header; browsers also say where a request
/// comes from in `Origin` and `Sec-Fetch-Site`. Each is checked, so a request another site makes
/// fails even if the token leaked into it.
struct ActionGuard: Sendable {
    /// The header that carries the token.
    static let tokenHeader = HTTPField.Name("X-Jobq-Token")!
    private static let fetchSiteHeader = HTTPField.Name("Sec-Fetch-Site")!

    /// The token, or `nil` when actions are disabled.
    let token: ActionToken?

    /// Refuses a request that may not act.
    /// - Throws: ``WebError`` `.forbidden` (403) or `.unsupportedMediaType` (415).
    func check(_ request: Request) throws {
        guard let token else {
            throw WebError(.forbidden, "actions are disabled: start jobq web with --allow-actions --token-file FILE")
        }
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw WebError(.unsupportedMediaType, "actions take no form body (content type \(type) refused)")
        }
        if let site = request.headers[Self.fetchSiteHeader], site != "same-origin", site != "none" {
            throw WebError(.forbidden, "cross-site request refused (Sec-Fetch-Site: \(site))")
        }
        if let origin = request.headers[.origin] {
            let host = request.head.authority ?? ""
            guard origin == "http://\(host)" || origin == "https://\(host)" else {
                throw WebError(.forbidden, "cross-origin request refused (Origin: \(origin))")
            }
        }
        guard token.matches(request.headers[Self.tokenHeader]) else {
            throw WebError(.forbidden, "missing or wrong \(Self.tokenHeader.rawName) header")
        }
    }
}
