import HTTPTypes
import Hummingbird

/// Adds to every response the headers that keep the page to itself: no framing by other sites, no
/// script or style from anywhere but the dashboard, no content-type guessing, no referrer, no cache.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    private static var frameOptions: HTTPField.Name { HTTPField.Name("X-Frame-Options")! }
    private static var referrerPolicy: HTTPField.Name { HTTPField.Name("Referrer-Policy")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.frameOptions] = "DENY"
        response.headers[Self.referrerPolicy] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
