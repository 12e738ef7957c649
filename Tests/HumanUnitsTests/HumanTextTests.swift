import HumanUnits
import Testing

/// Free text (errors, reasons) shown on one line or under a label.
struct HumanTextTests {
    @Test func oneLineEscapesLineBreaksAndTabsAndTrimsTheEnds() {
        #expect(HumanText.oneLine("  fetching\n\tupstream 503\r\nboom\n") == #"fetching\n\tupstream 503\nboom"#)
        #expect(HumanText.oneLine("plain") == "plain")
    }

    @Test func oneLineKeepsTheStartAndTheEndOfLongText() {
        let text = String(repeating: "a", count: 100) + String(repeating: "z", count: 100)
        let short = HumanText.oneLine(text, limit: 30)
        #expect(short.count == 30)
        #expect(short.hasPrefix("aaaaaaaaaa") && short.hasSuffix("zzzzzzzzzz") && short.contains(" … "))
    }

    @Test func indentedLinesUpContinuationLinesUnderTheLabel() {
        #expect(HumanText.indented("one\ntwo\nthree", by: 4) == "one\n    two\n    three")
        #expect(HumanText.indented("one", by: 4) == "one")
    }
}

/// Waits as worker logs write them: `retry in 4.2s`.
struct HumanWaitTests {
    @Test func waitsHaveOneDecimalUnderTenSecondsAndUnitsAbove() {
        #expect(HumanText.wait(4_200) == "4.2s")
        #expect(HumanText.wait(42_000) == "42s")
        #expect(HumanText.wait(303_000) == "5m 3s")
        #expect(HumanText.wait(0) == "0s")
    }
}
