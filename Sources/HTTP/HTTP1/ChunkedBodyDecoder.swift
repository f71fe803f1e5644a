/// Decodes a chunked request body (RFC 9112 §7.1) as bytes arrive, consuming them from the
/// buffer: sizes are strict hex, extensions are skipped, trailers are checked and dropped,
/// and the decoded size is held to the route's body limit before any chunk is read.
struct ChunkedBodyDecoder {
    private enum State: Equatable {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers(bytes: Int)
    }

    private var state = State.size

    /// A chunk-size line longer than this (hex digits plus extensions) is refused.
    static let maxSizeLineBytes = 1024

    /// Moves decoded bytes into `body`; true once the last chunk and the trailers are read.
    mutating func decode(_ buffer: inout InboundBuffer, into body: inout [UInt8], limit: Int, maxTrailerBytes: Int) throws(RequestFailure) -> Bool {
        while true {
            switch state {
            case .size:
                guard let size = try Self.takeLine(&buffer, maxLength: Self.maxSizeLineBytes, tooLong: .badRequest("chunk size line too long"),
                                                   parse: Self.parseSize) else { return false }
                if size == 0 {
                    state = .trailers(bytes: 0)
                } else {
                    guard size <= limit - body.count else { throw .payloadTooLarge(limit: limit) }
                    body.reserveCapacity(body.count + size)
                    state = .data(remaining: size)
                }
            case .data(let remaining):
                let count = min(remaining, buffer.readableCount)
                guard count > 0 else { return false }
                buffer.withReadableBytes { bytes in body.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[0..<count])) }
                buffer.consume(count)
                state = remaining == count ? .dataEnd : .data(remaining: remaining - count)
            case .dataEnd:
                guard buffer.readableCount >= 2 else { return false }
                let crlf = buffer.withReadableBytes { $0[0] == ByteClass.cr && $0[1] == ByteClass.lf }
                guard crlf else { throw .badRequest("chunk data not followed by CRLF") }
                buffer.consume(2)
                state = .size
            case .trailers(let bytes):
                let remaining = maxTrailerBytes - bytes
                let tooLarge = RequestFailure.headersTooLarge("the trailer section is larger than \(maxTrailerBytes) bytes")
                guard let line = try Self.takeLine(&buffer, maxLength: remaining, tooLong: tooLarge, parse: Self.checkTrailer) else {
                    return false
                }
                if line == 0 {
                    state = .size
                    return true
                }
                state = .trailers(bytes: bytes + line)
            }
        }
    }

    /// Takes one CRLF-terminated line and parses its content; nil while the LF has not arrived.
    private static func takeLine<T>(_ buffer: inout InboundBuffer, maxLength: Int, tooLong: RequestFailure,
                                    parse: (UnsafeBufferPointer<UInt8>, Range<Int>) throws(RequestFailure) -> T) throws(RequestFailure) -> T? {
        let result = try buffer.withReadableBytes { (bytes) throws(RequestFailure) -> (T, Int)? in
            let window = bytes[0..<min(bytes.count, maxLength + 1)]
            guard let lf = window.firstIndex(of: ByteClass.lf) else {
                if window.count > maxLength { throw tooLong }
                return nil
            }
            guard lf > 0, bytes[lf - 1] == ByteClass.cr else { throw .badRequest("lines must end with CRLF") }
            let content = 0..<(lf - 1)
            if bytes[content].contains(ByteClass.cr) { throw .badRequest("bare CR in chunked framing") }
            return (try parse(bytes, content), lf + 1)
        }
        guard let (value, length) = result else { return nil }
        buffer.consume(length)
        return value
    }

    /// chunk-size [ chunk-ext ]: 1*HEXDIG, then optionally BWS ";" and extension text.
    private static func parseSize(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(RequestFailure) -> Int {
        var index = line.startIndex
        var size = 0
        while index < line.endIndex, let digit = ByteClass.hexValue(bytes[index]) {
            // Past 15 hex digits the size is beyond any body limit; keep it saturated.
            size = size > (Int.max >> 4) ? Int.max : size << 4 | digit
            index += 1
        }
        guard index > line.startIndex else { throw .badRequest("invalid chunk size") }
        while index < line.endIndex, bytes[index] == ByteClass.space || bytes[index] == ByteClass.tab { index += 1 }
        if index < line.endIndex {
            guard bytes[index] == UInt8(ascii: ";"), bytes[index..<line.endIndex].allSatisfy(ByteClass.isFieldValueByte) else {
                throw .badRequest("invalid chunk size")
            }
        }
        return size
    }

    /// A trailer field must be a well-formed field line; returns the bytes it used (0: the end).
    private static func checkTrailer(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(RequestFailure) -> Int {
        if line.isEmpty { return 0 }
        _ = try RequestHeadScanner.parseField(bytes, line)
        return line.count + 2
    }
}
