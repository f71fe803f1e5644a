/// SHA-256 (FIPS 180-4), in pure Swift: session tokens are stored only as their hash, and the
/// project takes no package dependencies (no swift-crypto), while Foundation on Linux offers no
/// digest. Hashing a 43-character token costs one 64-byte block.
public enum SHA256 {
    /// The size of a digest in bytes.
    public static let digestByteCount = 32

    /// The digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var hasher = Hasher()
        hasher.update(Array(bytes))
        return hasher.finalize()
    }

    /// HMAC-SHA256 (RFC 2104) of `message` under `key`: signed links.
    public static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? hash(key) : key
        block.append(contentsOf: repeatElement(0, count: 64 - block.count))
        var inner = Hasher()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = Hasher()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// An incremental digest, for bodies that arrive in pieces (uploads): `update` with each
    /// piece, then `finalize` once.
    public struct Hasher: Sendable {
        private var state = SHA256.initialState
        /// Bytes of an incomplete block (fewer than 64).
        private var partial: [UInt8] = []
        private var length: UInt64 = 0

        public init() { partial.reserveCapacity(64) }

        public mutating func update(_ bytes: [UInt8]) {
            length &+= UInt64(bytes.count)
            var offset = 0
            if !partial.isEmpty {
                let taken = min(64 - partial.count, bytes.count)
                partial.append(contentsOf: bytes[0..<taken])
                offset = taken
                guard partial.count == 64 else { return }
                partial.withUnsafeBufferPointer { SHA256.compress(&state, $0.baseAddress!) }
                partial.removeAll(keepingCapacity: true)
            }
            bytes.withUnsafeBufferPointer { buffer in
                while buffer.count - offset >= 64 {
                    SHA256.compress(&state, buffer.baseAddress! + offset)
                    offset += 64
                }
            }
            partial.append(contentsOf: bytes[offset...])
        }

        /// The digest; the hasher is spent.
        public mutating func finalize() -> [UInt8] {
            // Padding: 0x80, zeros to 56 mod 64, then the message length in bits, big-endian.
            let bitLength = length &* 8
            var tail: [UInt8] = [0x80]
            tail.append(contentsOf: repeatElement(0, count: (119 - partial.count) % 64))
            for shift in stride(from: 56, through: 0, by: -8) {
                tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
            }
            let saved = length
            update(tail)
            length = saved
            return state.flatMap { word in
                [UInt8(word >> 24), UInt8(truncatingIfNeeded: word >> 16),
                 UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word)]
            }
        }
    }

    /// The digest of the UTF-8 bytes of `text`.
    public static func hash(_ text: String) -> [UInt8] {
        hash(Array(text.utf8))
    }

    /// Lowercase hexadecimal, as `sha256sum` prints a digest.
    public static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(digest.count * 2)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let initialState: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]

    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// One 64-byte block into the state (FIPS 180-4 §6.2.2). No allocation per block: the
    /// schedule lives on the stack (uploads hash megabytes with it).
    private static func compress(_ state: inout [UInt32], _ block: UnsafePointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
            roundConstants.withUnsafeBufferPointer { constants in
                for t in 0..<16 {
                    schedule[t] = UInt32(block[4 * t]) << 24 | UInt32(block[4 * t + 1]) << 16
                        | UInt32(block[4 * t + 2]) << 8 | UInt32(block[4 * t + 3])
                }
                for t in 16..<64 {
                    let w15 = schedule[t - 15], w2 = schedule[t - 2]
                    let s0 = (w15 >> 7 | w15 << 25) ^ (w15 >> 18 | w15 << 14) ^ (w15 >> 3)
                    let s1 = (w2 >> 17 | w2 << 15) ^ (w2 >> 19 | w2 << 13) ^ (w2 >> 10)
                    schedule[t] = schedule[t - 16] &+ s0 &+ schedule[t - 7] &+ s1
                }
                var a = state[0], b = state[1], c = state[2], d = state[3]
                var e = state[4], f = state[5], g = state[6], h = state[7]
                for t in 0..<64 {
                    let sum1 = (e >> 6 | e << 26) ^ (e >> 11 | e << 21) ^ (e >> 25 | e << 7)
                    let choice = (e & f) ^ (~e & g)
                    let temp1 = h &+ sum1 &+ choice &+ constants[t] &+ schedule[t]
                    let sum0 = (a >> 2 | a << 30) ^ (a >> 13 | a << 19) ^ (a >> 22 | a << 10)
                    let majority = (a & b) ^ (a & c) ^ (b & c)
                    h = g; g = f; f = e; e = d &+ temp1
                    d = c; c = b; b = a; a = temp1 &+ sum0 &+ majority
                }
                state[0] &+= a; state[1] &+= b; state[2] &+= c; state[3] &+= d
                state[4] &+= e; state[5] &+= f; state[6] &+= g; state[7] &+= h
            }
        }
    }
}
