import Hummingbird

/// The page and its assets, compiled into the binary from `Assets/` so the dashboard works with no
/// network beyond the server itself: one HTML shell for every page, its stylesheet and its script.
enum DashboardAssets {
    /// The HTML shell; the script renders the overview or a job page depending on the path.
    static let page = asset(PackageResources.index_html, type: "text/html; charset=utf-8")

    /// The assets served under `/assets/NAME`.
    static let files: [String: Response] = [
        "dashboard.css": asset(PackageResources.dashboard_css, type: "text/css; charset=utf-8"),
        "dashboard.js": asset(PackageResources.dashboard_js, type: "text/javascript; charset=utf-8"),
    ]

    private static func asset(_ bytes: [UInt8], type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
