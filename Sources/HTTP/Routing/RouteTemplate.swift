/// A parsed route template such as `/v1/conversations/{id}/messages`: literal segments and
/// `{name}` parameters, each a whole segment. Templates are the program's, so a malformed one
/// stops the process at registration rather than misrouting later.
struct RouteTemplate: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    let text: String
    let segments: [Segment]

    var parameterNames: [String] {
        segments.compactMap { if case .parameter(let name) = $0 { name } else { nil } }
    }

    init(_ text: String) {
        precondition(text.hasPrefix("/"), "route template \(text) must start with /")
        self.text = text
        let parts = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        precondition(text == "/" || !parts.contains { $0.isEmpty }, "route template \(text) has an empty segment")
        self.segments = parts.map { part in
            guard part.hasPrefix("{") else {
                precondition(!part.contains("{") && !part.contains("}") && !part.contains("%"),
                             "route template \(text): braces must enclose a whole segment; literals are not encoded")
                return .literal(String(part))
            }
            let name = part.dropFirst().dropLast()
            precondition(part.hasSuffix("}") && !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" },
                         "route template \(text): bad parameter segment \(part)")
            return .parameter(String(name))
        }
        let names = parameterNames
        precondition(Set(names).count == names.count, "route template \(text) repeats a parameter name")
    }
}
