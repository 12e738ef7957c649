import Crypto

/// The SHA-256 digests ingestion stores (document ids, content hashes, chunk hashes), written as
/// 64 lowercase hexadecimal characters.
public enum HexDigest {
    /// Returns the SHA-256 digest of `bytes` as 64 lowercase hexadecimal characters.
    public static func sha256(of bytes: [UInt8]) -> String {
        lowercaseHex(SHA256.hash(data: bytes))
    }

    /// Returns the SHA-256 digest of the UTF-8 encoding of `text` as 64 lowercase hexadecimal characters.
    public static func sha256(of text: String) -> String {
        sha256(of: Array(text.utf8))
    }

    /// Formats bytes as lowercase hexadecimal, two characters per byte.
    private static func lowercaseHex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var characters: [UInt8] = []
        characters.reserveCapacity(2 * SHA256.byteCount)
        for byte in bytes {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
