/// Character classes of RFC 9110 §5.6 and RFC 9112, as byte predicates.
enum ByteClass {
    static let cr: UInt8 = 13, lf: UInt8 = 10, space: UInt8 = 32, tab: UInt8 = 9, colon: UInt8 = 58

    /// tchar (RFC 9110 §5.6.2): the bytes of a token (methods, field names).
    private static let tcharTable: [Bool] = (0..<256).map { value in
        let byte = UInt8(value)
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    @inline(__always) static func isTokenChar(_ byte: UInt8) -> Bool { tcharTable[Int(byte)] }

    /// field-vchar, SP or HTAB (RFC 9110 §5.5): everything but control bytes (incl. NUL, CR,
    /// LF and DEL). obs-text (0x80-0xFF) is allowed by the grammar.
    @inline(__always) static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    /// The visible ASCII allowed in a request-target (RFC 9112 §3.2; RFC 3986 has no spaces
    /// or controls, and a fragment is never sent).
    @inline(__always) static func isTargetByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "#")
    }

    /// The characters of a `Host` value: RFC 3986 reg-name / IP-literal and `:` port.
    @inline(__always) static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return Array("-._~!$&'()*+,;=:[]%".utf8).contains(byte)
        }
    }

    @inline(__always) static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    @inline(__always) static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// The bytes of `range` as a String (bytes already validated as ASCII or field values;
    /// obs-text that is not UTF-8 becomes U+FFFD rather than failing).
    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: self[range]), as: UTF8.self)
    }

    /// Whether `range` holds exactly the ASCII `literal`.
    func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        range.count == literal.utf8CodeUnitCount
            && UnsafeBufferPointer(rebasing: self[range]).elementsEqual(
                UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Whether `range` holds exactly the ASCII `literal`, compared case-insensitively.
    func equalsIgnoringCase(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for (offset, index) in range.enumerated() {
            if ByteClass.lowercased(self[index]) != ByteClass.lowercased(expected[offset]) { return false }
        }
        return true
    }
}

extension StringProtocol {
    /// Without leading and trailing SP and HTAB (OWS, RFC 9110 §5.6.3).
    func trimmingWhitespace() -> Substring {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let text = self[...]
        guard let first = text.firstIndex(where: { !isOWS($0) }), let last = text.lastIndex(where: { !isOWS($0) }) else {
            return Substring()
        }
        return Substring(text[first...last])
    }
}
