import HumanUnits
import Testing

/// Backoff ranges as `jobq supervise --backoff` takes them: `MIN..MAX`.
struct DurationRangeTextTests {
    @Test func backoffRangesReadMinimumAndMaximum() throws {
        let range = try DurationRangeText.parse("1s..5m")
        #expect(range.min == .seconds(1) && range.max == .seconds(300))
        let fast = try DurationRangeText.parse("50ms..200ms")
        #expect(fast.min == .milliseconds(50) && fast.max == .milliseconds(200))
        let fixed = try DurationRangeText.parse("2s..2s")
        #expect(fixed.min == fixed.max)
    }

    @Test(arguments: ["5m..1s", "1s", "0s..1s", "a..b", "1s..5m..10m", "..5m"])
    func backoffRangesRefuseReversedZeroOrMalformedBounds(text: String) {
        #expect {
            try DurationRangeText.parse(text)
        } throws: { error in
            (error as? UnitParseError)?.code == .invalidRange
        }
    }
}
