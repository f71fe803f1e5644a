/// Reads the request line and header section (RFC 9112 §2-§5) one line at a time as bytes
/// arrive, validating each line as soon as it is complete and checking the limits against
/// partial lines too, so an oversized or malformed head is refused before it is buffered.
/// It never consumes: the head stays in the buffer until it is complete.
struct RequestHeadScanner {
    struct Limits: Sendable, Equatable {
        var maxRequestLineBytes: Int
        var maxHeaderBytes: Int
        var maxHeaderCount: Int
    }

    struct RequestLine: Equatable {
        var method: String
        var target: String
        var version: HTTPVersion
    }

    /// Where the search for the next LF resumes, relative to the first unconsumed byte.
    private var scanOffset = 0
    private var lineStart = 0
    private var requestLine: RequestLine?
    private var fields: [HTTPHeaders.Field] = []
    private var headerBytes = 0

    /// True once some byte of a request arrived (the header timeout runs from then).
    var hasStarted: Bool { scanOffset > 0 }

    enum Outcome {
        case needMore
        /// The head is complete and takes `length` bytes, CRLF CRLF included.
        case complete(RequestLine, [HTTPHeaders.Field], length: Int)
    }

    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, limits: Limits) throws(RequestFailure) -> Outcome {
        while scanOffset < bytes.count {
            guard let lf = bytes[scanOffset...].firstIndex(of: ByteClass.lf) else {
                scanOffset = bytes.count
                try checkPartialLine(bytes, limits: limits)
                return .needMore
            }
            scanOffset = lf + 1
            // RFC 9112 §2.2: a line ends in CRLF. A bare LF is refused rather than guessed at.
            guard lf > lineStart, bytes[lf - 1] == ByteClass.cr else {
                throw .badRequest("lines must end with CRLF")
            }
            let line = lineStart..<(lf - 1)
            let lineLength = lf + 1 - lineStart
            lineStart = lf + 1
            // RFC 9112 §2.2: a bare CR anywhere else is an error (request smuggling vector).
            if bytes[line].contains(ByteClass.cr) { throw .badRequest("bare CR in the request head") }

            if let requestLine {
                if line.isEmpty { return .complete(requestLine, fields, length: lf + 1) }
                headerBytes += lineLength
                if headerBytes > limits.maxHeaderBytes {
                    throw .headersTooLarge("the header section is larger than \(limits.maxHeaderBytes) bytes")
                }
                if fields.count == limits.maxHeaderCount {
                    throw .headersTooLarge("more than \(limits.maxHeaderCount) header fields")
                }
                fields.append(try Self.parseField(bytes, line))
            } else if line.isEmpty {
                // RFC 9112 §2.2: empty lines before the request line are ignored (they count
                // toward the request-line limit, so they cannot go on for ever).
                if lf + 1 > limits.maxRequestLineBytes { throw .badRequest("too many empty lines before the request") }
            } else {
                if lf + 1 > limits.maxRequestLineBytes { throw Self.overlongRequestLine(bytes, line, limits) }
                requestLine = try Self.parseRequestLine(bytes, line)
            }
        }
        return .needMore
    }

    /// Applies the limits to a line still without its LF.
    private func checkPartialLine(_ bytes: UnsafeBufferPointer<UInt8>, limits: Limits) throws(RequestFailure) {
        if requestLine == nil {
            if bytes.count > limits.maxRequestLineBytes {
                throw Self.overlongRequestLine(bytes, lineStart..<bytes.count, limits)
            }
        } else if headerBytes + (bytes.count - lineStart) > limits.maxHeaderBytes {
            throw .headersTooLarge("the header section is larger than \(limits.maxHeaderBytes) bytes")
        }
    }

    /// 414 when what overflows is the target (a method and a space came first), else 400.
    private static func overlongRequestLine(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, _ limits: Limits) -> RequestFailure {
        let content = bytes[line].drop { $0 == ByteClass.cr || $0 == ByteClass.lf }
        if let space = content.firstIndex(of: ByteClass.space), space > content.startIndex,
           content[content.startIndex..<space].allSatisfy(ByteClass.isTokenChar) {
            return .uriTooLong(limit: limits.maxRequestLineBytes)
        }
        return .badRequest("the request line is longer than \(limits.maxRequestLineBytes) bytes")
    }

    /// request-line = method SP request-target SP HTTP-version (RFC 9112 §3), single spaces.
    static func parseRequestLine(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(RequestFailure) -> RequestLine {
        if bytes.equals(line, "PRI * HTTP/2.0") {
            throw .http2Preface
        }
        guard let firstSpace = bytes[line].firstIndex(of: ByteClass.space) else {
            throw .badRequest("malformed request line")
        }
        let method = line.startIndex..<firstSpace
        guard !method.isEmpty, bytes[method].allSatisfy(ByteClass.isTokenChar) else {
            throw .badRequest("malformed request method")
        }
        guard let secondSpace = bytes[(firstSpace + 1)..<line.endIndex].firstIndex(of: ByteClass.space) else {
            throw .badRequest("malformed request line")
        }
        let target = (firstSpace + 1)..<secondSpace
        guard !target.isEmpty else { throw .badRequest("empty request target") }
        guard bytes[target].allSatisfy(ByteClass.isTargetByte) else {
            throw .badRequest("the request target contains characters that are not allowed")
        }
        let version = try parseVersion(bytes, (secondSpace + 1)..<line.endIndex)
        return RequestLine(method: bytes.string(method), target: bytes.string(target), version: version)
    }

    /// HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3): other well-formed versions get
    /// 505, anything else 400.
    private static func parseVersion(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws(RequestFailure) -> HTTPVersion {
        let digit = UInt8(ascii: "0")...UInt8(ascii: "9")
        // HTTP-name is case-sensitive (RFC 9112 §2.3).
        guard range.count == 8, bytes.equals(range.startIndex..<(range.startIndex + 5), "HTTP/"),
              digit.contains(bytes[range.startIndex + 5]), bytes[range.startIndex + 6] == UInt8(ascii: "."),
              digit.contains(bytes[range.startIndex + 7])
        else { throw .badRequest("malformed HTTP version") }
        switch (bytes[range.startIndex + 5], bytes[range.startIndex + 7]) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .http11
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .http10
        default: throw .versionNotSupported
        }
    }

    /// field-line = field-name ":" OWS field-value OWS (RFC 9112 §5).
    static func parseField(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(RequestFailure) -> HTTPHeaders.Field {
        let first = bytes[line.startIndex]
        // RFC 9112 §5.2: obs-fold (a line starting with whitespace) is refused with 400.
        if first == ByteClass.space || first == ByteClass.tab { throw .badRequest("obsolete line folding is not accepted") }
        guard let colon = bytes[line].firstIndex(of: ByteClass.colon) else { throw .badRequest("header field without a colon") }
        let name = line.startIndex..<colon
        guard !name.isEmpty else { throw .badRequest("empty header field name") }
        // RFC 9112 §5.1: no whitespace between the field name and the colon; 400.
        let last = bytes[colon - 1]
        if last == ByteClass.space || last == ByteClass.tab { throw .badRequest("whitespace before the colon of a header field") }
        guard bytes[name].allSatisfy(ByteClass.isTokenChar) else { throw .badRequest("invalid header field name") }

        var valueStart = colon + 1, valueEnd = line.endIndex
        while valueStart < valueEnd, bytes[valueStart] == ByteClass.space || bytes[valueStart] == ByteClass.tab { valueStart += 1 }
        while valueEnd > valueStart, bytes[valueEnd - 1] == ByteClass.space || bytes[valueEnd - 1] == ByteClass.tab { valueEnd -= 1 }
        let value = valueStart..<valueEnd
        // RFC 9110 §5.5: NUL, CR, LF and other controls are never valid in a field value.
        guard bytes[value].allSatisfy(ByteClass.isFieldValueByte) else {
            throw .badRequest("control characters in a header field value")
        }
        return (bytes.string(name), bytes.string(value))
    }
}
