import Foundation

/// One `Range: bytes=...` request (RFC 9110 §14.2) against a file of `size` bytes. Multiple
/// ranges are not served (the whole file is, which the RFC allows); a syntactically bad header
/// is ignored likewise; a well-formed range that starts past the end is 416.
enum ByteRange {
    enum Outcome: Equatable {
        case whole
        case partial(ClosedRange<Int64>)
        case unsatisfiable
    }

    static func resolve(_ header: String?, size: Int64) -> Outcome {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else { return .whole }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .whole }
        let first = parts[0].isEmpty ? nil : Int64(parts[0])
        let last = parts[1].isEmpty ? nil : Int64(parts[1])
        if !parts[0].isEmpty && first == nil || !parts[1].isEmpty && last == nil { return .whole }
        switch (first, last) {
        case (let start?, let end):
            if let end, end < start { return .whole }
            guard start < size else { return .unsatisfiable }
            return .partial(start...min(end ?? size - 1, size - 1))
        case (nil, let suffix?):
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .partial(max(0, size - suffix)...(size - 1))
        case (nil, nil):
            return .whole
        }
    }
}
