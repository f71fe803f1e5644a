/// Reads the block-style YAML subset our `docker-compose.yml` uses: nested mappings and
/// sequences by indentation, one-line flow sequences (`["CMD", "pg_isready"]`), plain, single-
/// and double-quoted scalars, and `#` comments. Anything else (anchors, aliases, tags, block
/// scalars, flow mappings, tabs for indentation) is refused with the line number, so a change
/// to the file that leaves the subset fails the tests loudly instead of being misread.
/// (The toolchain has no YAML parser and the project takes no package dependencies.)
struct YAMLSubsetReader {
    private struct Line {
        let number: Int
        let indent: Int
        let text: String
    }

    private var lines: [Line]
    private var index = 0

    /// Parses a whole document.
    static func parse(_ text: String) throws(YAMLSubsetError) -> YAMLValue {
        var reader = try YAMLSubsetReader(text: text)
        guard let first = reader.lines.first else { return .mapping([]) }
        let value = try reader.parseNode(indent: first.indent)
        if reader.index < reader.lines.count {
            throw reader.error("unexpected content (check its indentation)")
        }
        return value
    }

    private init(text: String) throws(YAMLSubsetError) {
        var lines: [Line] = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let content = Self.stripComment(String(raw))
            let trimmed = content.drop { $0 == " " }
            if trimmed.isEmpty || (lines.isEmpty && trimmed == "---") { continue }
            if trimmed.first == "\t" || content.prefix(content.count - trimmed.count).contains("\t") {
                throw YAMLSubsetError(line: number, message: "tab in indentation")
            }
            lines.append(Line(number: number, indent: content.count - trimmed.count, text: String(trimmed)))
        }
        self.lines = lines
    }

    // MARK: - Block structure

    private mutating func parseNode(indent: Int) throws(YAMLSubsetError) -> YAMLValue {
        Self.isSequenceItem(lines[index].text)
            ? try parseSequence(indent: indent) : try parseMapping(indent: indent)
    }

    private mutating func parseSequence(indent: Int) throws(YAMLSubsetError) -> YAMLValue {
        var items: [YAMLValue] = []
        while index < lines.count, lines[index].indent == indent, Self.isSequenceItem(lines[index].text) {
            let line = lines[index]
            let rest = line.text.dropFirst().drop { $0 == " " }
            if rest.isEmpty {
                index += 1
                items.append(try parseNested(under: indent, sameIndentSequence: false))
            } else if try Self.splitKey(String(rest), line: line.number) != nil {
                // "- key: value": a mapping whose keys line up with this first one.
                let restIndent = line.indent + (line.text.count - rest.count)
                lines[index] = Line(number: line.number, indent: restIndent, text: String(rest))
                items.append(try parseMapping(indent: restIndent))
            } else {
                index += 1
                items.append(try Self.parseInline(String(rest), line: line.number))
            }
        }
        try expectNoDeeperLine(than: indent)
        return .sequence(items)
    }

    private mutating func parseMapping(indent: Int) throws(YAMLSubsetError) -> YAMLValue {
        var pairs: [(key: String, value: YAMLValue)] = []
        while index < lines.count, lines[index].indent == indent, !Self.isSequenceItem(lines[index].text) {
            let line = lines[index]
            guard let (key, value) = try Self.splitKey(line.text, line: line.number) else {
                throw error("expected `key: value`")
            }
            if pairs.contains(where: { $0.key == key }) {
                throw error("duplicate key `\(key)`")
            }
            index += 1
            if value.isEmpty {
                pairs.append((key, try parseNested(under: indent, sameIndentSequence: true)))
            } else {
                pairs.append((key, try Self.parseInline(value, line: line.number)))
            }
        }
        try expectNoDeeperLine(than: indent)
        return .mapping(pairs)
    }

    /// The value of a `key:` or `-` with nothing after it: a deeper block, a sequence at the
    /// key's own indentation (compose files often write lists that way), or an empty scalar.
    private mutating func parseNested(under indent: Int, sameIndentSequence: Bool) throws(YAMLSubsetError) -> YAMLValue {
        guard index < lines.count else { return .scalar("") }
        let next = lines[index]
        if next.indent > indent { return try parseNode(indent: next.indent) }
        if sameIndentSequence, next.indent == indent, Self.isSequenceItem(next.text) {
            return try parseSequence(indent: indent)
        }
        return .scalar("")
    }

    private func expectNoDeeperLine(than indent: Int) throws(YAMLSubsetError) {
        if index < lines.count, lines[index].indent > indent {
            throw error("unexpected indentation")
        }
    }

    private func error(_ message: String) -> YAMLSubsetError {
        YAMLSubsetError(line: index < lines.count ? lines[index].number : (lines.last?.number ?? 0), message: message)
    }

    // MARK: - One line

    private static func isSequenceItem(_ text: String) -> Bool {
        text == "-" || text.hasPrefix("- ")
    }

    /// `key: value` or `key:` split at the first colon outside quotes that ends the text or is
    /// followed by a space; nil when the text has no such colon (it is a scalar).
    private static func splitKey(_ text: String, line: Int) throws(YAMLSubsetError) -> (String, String)? {
        var quote: Character?
        var previous: Character = " "
        var position = text.startIndex
        while position < text.endIndex {
            let character = text[position]
            if let open = quote {
                if character == open { quote = nil }
            } else if opensQuote(character, after: previous) {
                quote = character
            } else if character == ":" {
                let after = text.index(after: position)
                if after == text.endIndex || text[after] == " " {
                    let rawKey = text[..<position].trimmingSpaces
                    let key = try parseScalar(rawKey, line: line)
                    if key.isEmpty { throw YAMLSubsetError(line: line, message: "empty key") }
                    return (key, text[after...].trimmingSpaces)
                }
            }
            previous = character
            position = text.index(after: position)
        }
        return nil
    }

    private static func parseInline(_ text: String, line: Int) throws(YAMLSubsetError) -> YAMLValue {
        guard text.hasPrefix("[") else { return .scalar(try parseScalar(text, line: line)) }
        guard text.hasSuffix("]") else {
            throw YAMLSubsetError(line: line, message: "a flow sequence must end on its line")
        }
        let inner = String(text.dropFirst().dropLast())
        if inner.trimmingSpaces.isEmpty { return .sequence([]) }
        var items: [YAMLValue] = []
        for element in try splitOutsideQuotes(inner, separator: ",", line: line) {
            if element.hasPrefix("[") {
                throw YAMLSubsetError(line: line, message: "nested flow sequences are not supported")
            }
            items.append(.scalar(try parseScalar(element, line: line)))
        }
        return .sequence(items)
    }

    private static func parseScalar(_ raw: String, line: Int) throws(YAMLSubsetError) -> String {
        let text = raw.trimmingSpaces
        guard let first = text.first else { return "" }
        switch first {
        case "\"": return try unquoteDouble(text, line: line)
        case "'":
            guard text.count >= 2, text.hasSuffix("'") else {
                throw YAMLSubsetError(line: line, message: "unterminated single-quoted string")
            }
            return String(text.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
        case "&", "*", "!", "|", ">", "{", "%", "@", "`":
            throw YAMLSubsetError(line: line, message: "`\(first)` (anchors, aliases, tags, block scalars, flow mappings) is outside the supported subset")
        default:
            return text
        }
    }

    private static func unquoteDouble(_ text: String, line: Int) throws(YAMLSubsetError) -> String {
        var result = ""
        var escaping = false
        var closed = false
        for character in text.dropFirst() {
            if closed {
                throw YAMLSubsetError(line: line, message: "text after a closing quote")
            } else if escaping {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "\"", "\\", "/": result.append(character)
                default: throw YAMLSubsetError(line: line, message: "unsupported escape `\\\(character)`")
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == "\"" {
                closed = true
            } else {
                result.append(character)
            }
        }
        guard closed else { throw YAMLSubsetError(line: line, message: "unterminated double-quoted string") }
        return result
    }

    private static func splitOutsideQuotes(_ text: String, separator: Character, line: Int) throws(YAMLSubsetError) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        var previous: Character = " "
        for character in text {
            defer { previous = character }
            if let open = quote {
                if character == open { quote = nil }
                current.append(character)
            } else if opensQuote(character, after: previous) {
                quote = character
                current.append(character)
            } else if character == separator {
                parts.append(current.trimmingSpaces)
                current = ""
            } else {
                current.append(character)
            }
        }
        if quote != nil { throw YAMLSubsetError(line: line, message: "unterminated string in a flow sequence") }
        parts.append(current.trimmingSpaces)
        return parts
    }

    /// A quote starts a quoted scalar only where a token starts (`it's` is plain text).
    private static func opensQuote(_ character: Character, after previous: Character) -> Bool {
        (character == "\"" || character == "'") && (previous == " " || previous == "[" || previous == ",")
    }

    /// Cuts a `#` comment: one at the start of the line or after a space, outside quotes.
    private static func stripComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        var kept = ""
        for character in line {
            if let open = quote {
                if character == open { quote = nil }
            } else if opensQuote(character, after: previous) {
                quote = character
            } else if character == "#", previous == " " {
                break
            }
            kept.append(character)
            previous = character
        }
        while kept.last == " " || kept.last == "\r" { kept.removeLast() }
        return kept
    }
}

/// Why the subset reader refused a document, with the 1-based line.
struct YAMLSubsetError: Error, CustomStringConvertible {
    let line: Int
    let message: String
    var description: String { "YAML line \(line): \(message)" }
}

private extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
