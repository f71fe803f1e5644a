/// Bytes written to event streams: encoded once, shared by every stream they go to.
/// (A final class so that sending one event to 10,000 streams copies no bytes.)
public final class EventBytes: Sendable {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public convenience init(_ string: String) { self.init(Array(string.utf8)) }
}

/// Server-Sent Events framing (WHATWG HTML §9.2.6).
public enum SSEFrame {
    /// `id:`, `event:` and one `data:` line per line of `data` (CR, LF and CRLF all split),
    /// then the blank line that dispatches the event.
    public static func encode(id: String? = nil, event: String? = nil, data: String) -> EventBytes {
        var out = ""
        if let id { out += "id: \(id)\n" }
        if let event { out += "event: \(event)\n" }
        var line = ""
        var previousWasCR = false
        for scalar in data.unicodeScalars {
            if scalar == "\n" && previousWasCR { previousWasCR = false; continue }
            previousWasCR = scalar == "\r"
            if scalar == "\n" || scalar == "\r" {
                out += "data: \(line)\n"
                line = ""
            } else {
                line.unicodeScalars.append(scalar)
            }
        }
        out += "data: \(line)\n\n"
        return EventBytes(out)
    }

    /// `retry: ms` tells the browser how long to wait before reconnecting.
    public static func retry(milliseconds: Int) -> EventBytes { EventBytes("retry: \(milliseconds)\n\n") }

    /// A comment line; browsers ignore it, proxies and the server see traffic.
    public static func comment(_ text: String) -> EventBytes { EventBytes(": \(text)\n\n") }
}
