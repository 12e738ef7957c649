import HumanUnits
import Testing

/// Durations as every `--delay`, `--lease`, `--idle-exit` and `--stop-timeout` takes them, and as
/// logs and reports show them.
struct DurationTextTests {
    @Test func durationsAcceptUnitsCombinationsAndBareSeconds() throws {
        #expect(try DurationText.parse("250ms") == .milliseconds(250))
        #expect(try DurationText.parse("30s") == .seconds(30))
        #expect(try DurationText.parse("5m") == .seconds(300))
        #expect(try DurationText.parse("1h30m") == .seconds(5400))
        #expect(try DurationText.parse("2d") == .seconds(172_800))
        #expect(try DurationText.parse("1.5") == .milliseconds(1500))
        #expect(try DurationText.parse(" 10min ") == .seconds(600))
        #expect(try DurationText.parse("200000d") == .seconds(200_000 * 86_400))
    }

    @Test(arguments: ["", "soon", "5x", "-1s", "1h 30m"])
    func durationsRefuseNonsenseWithAnExample(text: String) {
        #expect {
            try DurationText.parse(text)
        } throws: { error in
            (error as? UnitParseError)?.code == .invalidDuration && "\(error)".contains("is not a duration")
        }
    }

    @Test(arguments: ["1e20", "100000000000d", "9999999999999999999ms", "3000000000000h1s"])
    func durationsTooLongForAnInt64OfMillisecondsAreRefusedNotACrash(text: String) {
        #expect {
            try DurationText.parse(text)
        } throws: { error in
            (error as? UnitParseError)?.code == .invalidDuration && "\(error)".contains("too long a duration")
        }
    }

    @Test func durationsFormatInTheTwoLargestUnits() {
        #expect(DurationText.format(.milliseconds(250)) == "250ms")
        #expect(DurationText.format(.seconds(30)) == "30s")
        #expect(DurationText.format(.seconds(5400)) == "1h 30m")
        #expect(DurationText.format(.seconds(183_661)) == "2d 3h")
    }

    @Test func readableTimesPickTheLargestUnitThatStaysReadable() {
        #expect(DurationText.readable(seconds: 4.5) == "4.5 seconds")
        #expect(DurationText.readable(seconds: 90) == "90 seconds")
        #expect(DurationText.readable(seconds: 720) == "12 minutes")
        #expect(DurationText.readable(seconds: 145_440) == "40.4 hours")
        #expect(DurationText.readable(seconds: 259_200) == "3.0 days")
    }
}
