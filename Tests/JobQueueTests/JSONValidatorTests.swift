import Foundation
@testable import JobQueue
import Testing

@Suite("JSON validation of payloads") struct JSONValidatorTests {
    private func valid(_ text: String) -> Bool {
        (try? JSONValidator.validate(Array(text.utf8))) != nil
    }

    @Test func acceptsEveryKindOfJSONValue() {
        for text in ["{}", "[]", "0", "-0.5e+10", "1E3", "\"\"", "true", "false", "null", " {\"a\": [1, 2.5, \"x\", null, {}]} ",
                     #""\u00e9\n\"\\\/""#, "\"ümlaut 日本 🎉\"", "[[[[[]]]]]"] {
            #expect(valid(text), "\(text)")
        }
    }

    @Test func refusesWhatIsNotJSONAndSaysWhere() throws {
        for text in ["", " ", "{", "{\"a\"}", "{\"a\":}", "[1,]", "[1 2]", "01", "1.", "-", "1e", "+1", "tru", "nul", "'x'",
                     "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "{} {}", "{\"a\":1,}", "NaN", "Infinity", "\"tab\there\""] {
            #expect(!valid(text), "\(text)")
        }
        let failure = try #require(throws: JSONValidator.Failure.self) { try JSONValidator.validate(Array("[1, 2,, 3]".utf8)) }
        #expect(failure.offset == 6)
    }

    @Test func refusesInvalidUTF8InsideStrings() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]] {
            #expect((try? JSONValidator.validate(bytes)) == nil, "\(bytes)")
        }
        #expect((try? JSONValidator.validate([0x22, 0xE2, 0x82, 0xAC, 0x22])) != nil, "€ is valid")
    }

    @Test func numbersBeyondADoublesRangeAreRefused() {
        #expect(valid("12345678901234567890"))
        #expect(valid("1.5e300"))
        #expect(!valid("1e400"))
        #expect(!valid(String(repeating: "3", count: 400)))
    }

    @Test func surrogateEscapesMustComeInPairs() {
        #expect(valid(#""\ud83d\ude00""#), "a pair is one character")
        for text in [#""\udc00""#, #""\ud83d""#, #""\ud83dx""#, #""\ud83d\u0041""#, #""\ud83d\""#] {
            #expect(!valid(text), "\(text)")
        }
    }

    @Test func deepNestingIsRefusedWithoutExhaustingTheStack() {
        #expect(valid(String(repeating: "[", count: 500) + String(repeating: "]", count: 500)))
        #expect(!valid(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)))
    }

    @Test func agreesWithFoundationOnGeneratedDocuments() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("{}[]\":,0123456789-.eE truefalsn\\u\t\n".utf8)
        for _ in 0..<3000 {
            let length = Int.random(in: 0...24, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            let ours = (try? JSONValidator.validate(bytes)) != nil
            let foundation = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
            #expect(ours == foundation, "\(String(decoding: bytes, as: UTF8.self))")
        }
    }
}
