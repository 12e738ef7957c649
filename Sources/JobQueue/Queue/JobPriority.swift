/// Which waiting jobs are taken first: every high job waiting before any normal one, every normal
/// one before any low one, except that a level with jobs waiting gets one job after 10 in a row were
/// taken above it (no level starves). Plain pushes to `jobq:{Q}:wait` are normal. See
/// `docs/guarantees.md`, "Priorities".
public enum JobPriority: String, Sendable, Codable, CaseIterable {
    case high, normal, low
}
