import HumanUnits
import Testing

/// CPU caps as `jobq supervise --cpu` takes them: percentages of one CPU.
struct CPUShareTextTests {
    @Test func cpuSharesArePercentagesOfOneCPU() throws {
        #expect(try CPUShareText.parse("25%") == 0.25)
        #expect(try CPUShareText.parse("150%") == 1.5)
        #expect(try CPUShareText.parse("12.5%") == 0.125)
        #expect(try CPUShareText.parse("50") == 0.5)
        #expect(CPUShareText.format(0.25) == "25%")
        #expect(CPUShareText.format(0.125) == "12.5%")
    }

    @Test(arguments: ["0%", "-5%", "abc", "%", "", "inf%"])
    func cpuSharesRefuseZeroNegativeAndNonNumbers(text: String) {
        #expect(throws: UnitParseError.self) { try CPUShareText.parse(text) }
    }
}
