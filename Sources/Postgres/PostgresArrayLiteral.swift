/// PostgreSQL's array literal text (`{a,"b c",NULL}`), one dimension: encoding for parameters,
/// parsing for results. Rules: PostgreSQL manual, "Arrays", section 8.15.6 (Array Input and
/// Output Syntax).
enum PostgresArrayLiteral {
    /// `{"e1","e2",NULL}`: every element double-quoted with `\` and `"` backslash-escaped, so
    /// commas, braces, spaces and the word NULL inside an element stay data; nil is bare `NULL`.
    static func encode(_ elements: [String?]) -> String {
        var text = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { text += "," }
            guard let element else {
                text += "NULL"
                continue
            }
            text += "\""
            for character in element.unicodeScalars {
                if character == "\"" || character == "\\" { text += "\\" }
                text.unicodeScalars.append(character)
            }
            text += "\""
        }
        return text + "}"
    }

    /// Parses a one-dimensional array literal into its elements (nil for an unquoted `NULL`).
    ///
    /// Accepts a leading dimension decoration (`[0:2]=`), quoted elements with backslash
    /// escapes, unquoted elements (backslash escapes allowed, surrounding spaces trimmed).
    /// - Throws: `ArrayLiteralError` for malformed text or a multidimensional array.
    static func parse(_ text: String) throws(ArrayLiteralError) -> [String?] {
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "[" {
            guard let equals = scalars.firstIndex(of: "=") else { throw .malformed }
            scalars = scalars[scalars.index(after: equals)...]
        }
        guard scalars.first == "{", scalars.last == "}" else { throw .malformed }
        scalars = scalars.dropFirst().dropLast()
        var elements: [String?] = []
        var iterator = scalars.makeIterator()
        var pending = iterator.next()
        if allWhitespace(scalars) { return [] }
        while true {
            while let scalar = pending, isWhitespace(scalar) { pending = iterator.next() }
            guard let first = pending else { throw .malformed }
            if first == "{" { throw .multidimensional }
            var element = String.UnicodeScalarView()
            var quoted = false
            if first == "\"" {
                quoted = true
                pending = iterator.next()
                while true {
                    guard let scalar = pending else { throw .malformed }
                    pending = iterator.next()
                    if scalar == "\"" { break }
                    try appendUnescaped(scalar, to: &element, pending: &pending, rest: &iterator)
                }
                while let scalar = pending, isWhitespace(scalar) { pending = iterator.next() }
            } else {
                var trailingSpaces = String.UnicodeScalarView()
                while let scalar = pending, scalar != "," {
                    pending = iterator.next()
                    if scalar == "{" || scalar == "}" || scalar == "\"" { throw .malformed }
                    if isWhitespace(scalar) {
                        trailingSpaces.append(scalar)
                        continue
                    }
                    element.append(contentsOf: trailingSpaces)
                    trailingSpaces = String.UnicodeScalarView()
                    try appendUnescaped(scalar, to: &element, pending: &pending, rest: &iterator)
                }
                if element.isEmpty { throw .malformed }
            }
            let value = String(element)
            elements.append(!quoted && value.uppercased() == "NULL" ? nil : value)
            guard let separator = pending else { return elements }
            guard separator == "," else { throw .malformed }
            pending = iterator.next()
        }
    }

    /// Appends `scalar`, or for a backslash the scalar after it (`pending`, then the next one
    /// is read from `rest`).
    private static func appendUnescaped(_ scalar: Unicode.Scalar, to element: inout String.UnicodeScalarView,
                                        pending: inout Unicode.Scalar?,
                                        rest: inout Substring.UnicodeScalarView.Iterator) throws(ArrayLiteralError) {
        guard scalar == "\\" else {
            element.append(scalar)
            return
        }
        guard let escaped = pending else { throw .malformed }
        element.append(escaped)
        pending = rest.next()
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0B}" || scalar == "\u{0C}"
    }

    private static func allWhitespace(_ scalars: Substring.UnicodeScalarView) -> Bool {
        scalars.allSatisfy(isWhitespace)
    }
}

/// Why an array literal could not be read.
enum ArrayLiteralError: Error {
    case malformed
    case multidimensional

    var reason: String {
        switch self {
        case .malformed: "malformed array literal"
        case .multidimensional: "multidimensional arrays are not supported"
        }
    }
}
