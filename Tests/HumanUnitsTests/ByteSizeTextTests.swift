import HumanUnits
import Testing

/// Sizes as `jobq supervise --memory`, `--swap` and `--min-available` take them, and as reports show them.
struct ByteSizeTextTests {
    @Test func sizesAcceptKilobytesMegabytesGigabytesAndBareBytes() throws {
        #expect(try ByteSizeText.parse("256M") == 256 << 20)
        #expect(try ByteSizeText.parse("512K") == 512 << 10)
        #expect(try ByteSizeText.parse("1G") == 1 << 30)
        #expect(try ByteSizeText.parse("1.5G") == 3 << 29)
        #expect(try ByteSizeText.parse("256MiB") == 256 << 20)
        #expect(try ByteSizeText.parse("64mb") == 64 << 20)
        #expect(try ByteSizeText.parse("0") == 0)
        #expect(try ByteSizeText.parse("4096") == 4096)
    }

    @Test(arguments: ["", "M", "abc", "-1M", "12X", "1..2M", "99999999999T"])
    func sizesRefuseNonsenseWithAnExample(text: String) {
        #expect {
            try ByteSizeText.parse(text)
        } throws: { error in
            (error as? UnitParseError)?.code == .invalidSize
        }
    }

    @Test func sizesFormatInTheLargestWholeUnit() {
        #expect(ByteSizeText.format(256 << 20) == "256M")
        #expect(ByteSizeText.format(1 << 30) == "1G")
        #expect(ByteSizeText.format(1536 << 10) == "1536K")
        #expect(ByteSizeText.format(100) == "100")
        #expect(ByteSizeText.format(0) == "0")
    }

    @Test func readableSizesUseBinaryUnitsWithOneDecimalBelowAHundred() {
        #expect(ByteSizeText.readable(512) == "512 B")
        #expect(ByteSizeText.readable(216 << 20) == "216 MiB")
        #expect(ByteSizeText.readable(3_865_470_566) == "3.6 GiB")
        #expect(ByteSizeText.readable(1536) == "1.5 KiB")
    }
}
