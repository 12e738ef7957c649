/// The Redis Cluster hash slot of a key: CRC16 (XMODEM) of the key, or of its hash tag, modulo 16384.
///
/// The hash tag is the part between the first `{` and the first `}` after it, when that part is
/// not empty; keys with the same tag live in the same slot (`jobq:{Q}:wait`, `jobq:{Q}:active` ...).
enum HashSlot {
    /// The number of slots in a Redis Cluster.
    static let count = 16384

    /// The slot of a key given as bytes.
    static func of(_ key: [UInt8]) -> Int {
        Int(crc16(hashedPart(key)) % UInt16(count))
    }

    /// The bytes the slot is computed from: the hash tag when there is one, else the whole key.
    static func hashedPart(_ key: [UInt8]) -> ArraySlice<UInt8> {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")),
              let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")),
              close > open + 1
        else { return key[...] }
        return key[(open + 1)..<close]
    }

    /// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, as Redis Cluster specifies.
    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int((crc >> 8) ^ UInt16(byte)) & 0xFF]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }
}
