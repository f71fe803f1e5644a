import Foundation

/// File names of uploads: made safe once at upload (what is stored is what every reader gets),
/// and written into `Content-Disposition` per RFC 6266 on download.
enum AttachmentFilename {
    static let maxLength = 255

    /// `filename` as stored: path separators (`/`, `\`) and control characters (newlines
    /// included) become `_`, so `../../etc/passwd` is one harmless name; leading dots and
    /// surrounding spaces go (no hidden or relative names); at most 255 characters; an empty
    /// result is "file".
    static func sanitized(_ filename: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in filename.unicodeScalars {
            let unsafe = scalar == "/" || scalar == "\\" || scalar.properties.generalCategory == .control
                || scalar.properties.generalCategory == .format && scalar.value != 0x200D
            scalars.append(unsafe ? "_" : scalar)
        }
        var name = String(scalars).trimmingCharacters(in: .whitespaces)
        while name.hasPrefix(".") { name.removeFirst() }
        name = name.trimmingCharacters(in: .whitespaces)
        if name.count > maxLength { name = String(name.prefix(maxLength)) }
        return name.isEmpty ? "file" : name
    }

    /// `Content-Disposition` (RFC 6266): `inline` for the images we recognised, `attachment`
    /// with the name for everything else. The quoted `filename` is an ASCII stand-in (quotes,
    /// backslashes and non-ASCII replaced by `_`); `filename*` carries the exact UTF-8 name
    /// percent-encoded (RFC 8187), which browsers prefer.
    static func contentDisposition(_ filename: String, inline: Bool) -> String {
        let fallback = String(String.UnicodeScalarView(filename.unicodeScalars.map { scalar in
            scalar.isASCII && scalar.value >= 0x20 && scalar.value < 0x7F && scalar != "\"" && scalar != "\\" ? scalar : "_"
        }))
        return "\(inline ? "inline" : "attachment"); filename=\"\(fallback)\"; filename*=UTF-8''\(percentEncoded(filename))"
    }

    /// RFC 8187 `attr-char` kept, every other UTF-8 byte as `%XX`.
    private static func percentEncoded(_ text: String) -> String {
        let attrChars = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~".utf8)
        var out = ""
        for byte in text.utf8 {
            if attrChars.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
