/// The frozen routes: a trie of path segments built once, then read without locks by every
/// request. Matching walks the request's segments, trying a literal child before the parameter
/// child and backtracking, so `/v1/conversations/direct` beats `/v1/conversations/{id}` while
/// `/v1/conversations/7c0e/messages` still finds `{id}`. No regular expressions, and the only
/// allocation per match is the array of segments.
final class RouteTable: Sendable {
    /// One registered method on one template.
    struct Endpoint: Sendable {
        let method: HTTPMethod
        let template: RouteTemplate
        let bodyLimit: Int?
        let handler: @Sendable (HTTPRequest) async throws -> HTTPResponse
    }

    struct Node: Sendable {
        var literals: [(segment: String, node: Int)] = []
        var parameter: Int?
        var endpoints: [Endpoint] = []
        /// The methods this path answers, for `Allow` and CORS preflights (`GET, HEAD, ...`).
        var allow: String = ""

        /// The endpoint for `method`; `HEAD` falls back to `GET` (RFC 9110 §9.3.2).
        func endpoint(for method: HTTPMethod) -> Endpoint? {
            endpoints.first { $0.method == method }
                ?? (method == .HEAD ? endpoints.first { $0.method == .GET } : nil)
        }
    }

    /// A path that matched a node with at least one endpoint; `values` are the raw (still
    /// encoded) parameter segments in template order.
    struct Match {
        let node: Node
        let values: [Substring]
    }

    private let nodes: [Node]

    init(_ endpoints: [Endpoint]) {
        var nodes = [Node()]
        for endpoint in endpoints {
            var current = 0
            for segment in endpoint.template.segments {
                switch segment {
                case .literal(let text):
                    if let child = nodes[current].literals.first(where: { $0.segment == text })?.node {
                        current = child
                    } else {
                        nodes.append(Node())
                        nodes[current].literals.append((text, nodes.count - 1))
                        current = nodes.count - 1
                    }
                case .parameter:
                    if let child = nodes[current].parameter {
                        current = child
                    } else {
                        nodes.append(Node())
                        nodes[current].parameter = nodes.count - 1
                        current = nodes.count - 1
                    }
                }
            }
            precondition(!nodes[current].endpoints.contains { $0.method == endpoint.method },
                         "route \(endpoint.method) \(endpoint.template.text) is registered twice")
            nodes[current].endpoints.append(endpoint)
        }
        for index in nodes.indices where !nodes[index].endpoints.isEmpty {
            nodes[index].allow = RouteTable.allowHeader(nodes[index].endpoints.map(\.method))
        }
        self.nodes = nodes
    }

    /// The node for an origin-form path (`/a/b`), or nil when no template matches its shape.
    /// Empty segments (`//`, a trailing `/`) match no parameter, so they do not match at all.
    func match(_ path: String) -> Match? {
        guard path.utf8.first == UInt8(ascii: "/") else { return nil }
        let segments = path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var values: [Substring] = []
        guard let node = descend(0, segments[...], &values) else { return nil }
        return Match(node: nodes[node], values: values)
    }

    private func descend(_ index: Int, _ rest: ArraySlice<Substring.UTF8View>, _ values: inout [Substring]) -> Int? {
        guard let segment = rest.first else {
            return nodes[index].endpoints.isEmpty ? nil : index
        }
        let node = nodes[index]
        let remaining = rest.dropFirst()
        for literal in node.literals where literal.segment.utf8.elementsEqual(segment) {
            if let found = descend(literal.node, remaining, &values) { return found }
        }
        if let parameter = node.parameter, !segment.isEmpty {
            values.append(Substring(segment))
            if let found = descend(parameter, remaining, &values) { return found }
            values.removeLast()
        }
        return nil
    }

    /// Registered methods in a conventional order, `HEAD` implied by `GET`, `OPTIONS` always
    /// answered (preflights): `GET, HEAD, POST, OPTIONS`.
    static func allowHeader(_ methods: [HTTPMethod]) -> String {
        var all = methods
        if all.contains(.GET) && !all.contains(.HEAD) { all.append(.HEAD) }
        if !all.contains(.OPTIONS) { all.append(.OPTIONS) }
        let order: [HTTPMethod] = [.GET, .HEAD, .POST, .PUT, .PATCH, .DELETE, .OPTIONS]
        let known = order.filter(all.contains)
        let others = all.filter { !order.contains($0) }.map(\.rawValue).sorted()
        return (known.map(\.rawValue) + others).joined(separator: ", ")
    }
}
