/// The type of an uploaded file, decided from its first bytes (magic numbers), never from what
/// the client claims: PNG, JPEG, GIF and WebP are images; everything else (HTML, SVG, PDF...) is
/// `application/octet-stream`, so it is never served as something a browser would run.
/// Image sizes are read from the headers, without an image library.
enum FileType: Equatable {
    case png, jpeg, gif, webp, other

    var contentType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .other: "application/octet-stream"
        }
    }

    /// Images a browser may show inline (`Content-Disposition: inline`).
    var isImage: Bool { self != .other }

    init(contentType: String) {
        self = [FileType.png, .jpeg, .gif, .webp].first { $0.contentType == contentType } ?? .other
    }

    /// The type of a file starting with `header` (its first 256 KiB chunk: enough for every
    /// header below, and for a JPEG's frame header behind typical EXIF segments), and its
    /// pixel size when the header says it.
    static func detect(_ header: [UInt8]) -> (type: FileType, size: (width: Int, height: Int)?) {
        let bytes = header[...]
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            // IHDR is the first chunk: length(4) "IHDR" width(4) height(4), big-endian.
            guard bytes.count >= 24, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return (.png, nil) }
            return (.png, positive(bigEndian(bytes, 16, 4), bigEndian(bytes, 20, 4)))
        }
        if bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) {
            guard bytes.count >= 10 else { return (.gif, nil) }
            return (.gif, positive(littleEndian(bytes, 6, 2), littleEndian(bytes, 8, 2)))
        }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            return (.webp, webpSize(bytes))
        }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            return (.jpeg, jpegSize(bytes))
        }
        return (.other, nil)
    }

    /// VP8 (lossy), VP8L (lossless) or VP8X (extended) at offset 12.
    private static func webpSize(_ bytes: ArraySlice<UInt8>) -> (width: Int, height: Int)? {
        guard bytes.count >= 30 else { return nil }
        switch String(decoding: bytes[12..<16], as: UTF8.self) {
        case "VP8 ":
            // Frame tag (3) then start code 9D 01 2A, then 14-bit width and height.
            guard bytes[23] == 0x9D, bytes[24] == 0x01, bytes[25] == 0x2A else { return nil }
            return positive(littleEndian(bytes, 26, 2) & 0x3FFF, littleEndian(bytes, 28, 2) & 0x3FFF)
        case "VP8L":
            guard bytes[20] == 0x2F else { return nil }
            let bits = littleEndian(bytes, 21, 4)
            return positive((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            return positive(littleEndian(bytes, 24, 3) + 1, littleEndian(bytes, 27, 3) + 1)
        default:
            return nil
        }
    }

    /// Walks the JPEG segments to the first start-of-frame (SOF0-SOF15 but DHT, JPG, DAC).
    private static func jpegSize(_ bytes: ArraySlice<UInt8>) -> (width: Int, height: Int)? {
        var offset = 2
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else { return nil }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }  // fill byte
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { offset += 2; continue }
            let length = bigEndian(bytes, offset + 2, 2)
            guard length >= 2 else { return nil }
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard offset + 9 <= bytes.count else { return nil }
                return positive(bigEndian(bytes, offset + 7, 2), bigEndian(bytes, offset + 5, 2))
            }
            if marker == 0xDA || marker == 0xD9 { return nil }  // image data before any frame header
            offset += 2 + length
        }
        return nil
    }

    private static func positive(_ width: Int, _ height: Int) -> (width: Int, height: Int)? {
        width > 0 && height > 0 && width <= Int(Int32.max) && height <= Int(Int32.max) ? (width, height) : nil
    }

    private static func bigEndian(_ bytes: ArraySlice<UInt8>, _ offset: Int, _ count: Int) -> Int {
        (0..<count).reduce(0) { $0 << 8 | Int(bytes[bytes.startIndex + offset + $1]) }
    }

    private static func littleEndian(_ bytes: ArraySlice<UInt8>, _ offset: Int, _ count: Int) -> Int {
        (0..<count).reversed().reduce(0) { $0 << 8 | Int(bytes[bytes.startIndex + offset + $1]) }
    }
}
