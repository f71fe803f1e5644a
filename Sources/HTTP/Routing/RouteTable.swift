/// The frozen routes: a trie of path segments built once, then read without locks by every
/// request. Matching walks the request path's bytes segment by segment, trying a literal child
/// before the parameter child and backtracking, so `/v1/conversations/direct` beats
/// `/v1/conversations/{id}` while `/v1/conversations/7c0e/messages` still finds `{id}`.
/// No regular expressions, no splitting; the only allocation is the list of parameter values.
final class RouteTable: Sendable {
    /// One registered method on one template.
    struct Endpoint: Sendable {
        let method: HTTPMethod
        let template: RouteTemplate
        let bodyLimit: Int?
        let streamedBody: Bool
        let handler: Handler
    }

    /// What answers an endpoint: a task that may suspend (database calls), or a function that
    /// answers at once, which the server runs on the event loop that read the request.
    enum Handler: Sendable {
        case suspending(@Sendable (HTTPRequest) async throws -> HTTPResponse)
        case immediate(@Sendable (HTTPRequest) throws -> HTTPResponse)
    }

    struct Node: Sendable {
        var literals: [(segment: [UInt8], node: Int)] = []
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
        func child(of parent: Int, _ existing: Int?, attach: (inout Node, Int) -> Void) -> Int {
            if let existing { return existing }
            nodes.append(Node())
            attach(&nodes[parent], nodes.count - 1)
            return nodes.count - 1
        }
        for endpoint in endpoints {
            var current = 0
            for segment in endpoint.template.segments {
                switch segment {
                case .literal(let text):
                    let bytes = Array(text.utf8)
                    current = child(of: current, nodes[current].literals.first { $0.segment == bytes }?.node) { $0.literals.append((bytes, $1)) }
                case .parameter:
                    current = child(of: current, nodes[current].parameter) { $0.parameter = $1 }
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
        var path = path
        let found: (node: Int, values: [Range<Int>])? = path.withUTF8 { bytes in
            guard bytes.first == UInt8(ascii: "/") else { return nil }
            var values: [Range<Int>] = []
            guard let node = descend(0, from: 1, in: bytes, &values) else { return nil }
            return (node, values)
        }
        guard let found else { return nil }
        let utf8 = path.utf8
        let values = found.values.map { range in
            Substring(utf8[utf8.index(utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: range.upperBound)])
        }
        return Match(node: nodes[found.node], values: values)
    }

    /// Matches the segment starting at `start` against the children of node `index`, then the
    /// rest of the path below the child that matched.
    private func descend(_ index: Int, from start: Int, in bytes: UnsafeBufferPointer<UInt8>, _ values: inout [Range<Int>]) -> Int? {
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: "/") { end += 1 }
        let segment = start..<end
        let isLast = end == bytes.count
        func follow(_ child: Int) -> Int? {
            if isLast { return nodes[child].endpoints.isEmpty ? nil : child }
            return descend(child, from: end + 1, in: bytes, &values)
        }
        for literal in nodes[index].literals where RouteTable.equal(bytes, segment, literal.segment) {
            if let found = follow(literal.node) { return found }
        }
        if let parameter = nodes[index].parameter, !segment.isEmpty {
            values.append(segment)
            if let found = follow(parameter) { return found }
            values.removeLast()
        }
        return nil
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ literal: [UInt8]) -> Bool {
        guard range.count == literal.count else { return false }
        var offset = 0
        while offset < literal.count {
            if bytes[range.lowerBound + offset] != literal[offset] { return false }
            offset += 1
        }
        return true
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
