/// The per-request flow of `Router.responder`: route once, then answer at once (an immediate
/// endpoint, 404, 405, `OPTIONS`) or later (a suspending endpoint, in a task); every answer gets
/// the same finish.
extension Router {
    func answer(_ incoming: HTTPRequest, table: RouteTable) -> HTTPAnswer {
        let start = ContinuousClock.now
        var request = incoming
        switch route(&request, table) {
        case .answered(let response):
            return .now(finish(request, response, start: start))
        case .run(let endpoint):
            switch endpoint.handler {
            case .immediate(let handler):
                return .now(finish(request, run(request, handler), start: start))
            case .suspending(let handler):
                return .later { [self, request] in
                    let response: HTTPResponse
                    do {
                        response = try await handler(request)
                    } catch {
                        response = failure(error, request)
                    }
                    return finish(request, response, start: start)
                }
            }
        }
    }

    private enum Routed {
        /// Answered without an endpoint: 404, 405, `OPTIONS`, a bad path parameter.
        case answered(HTTPResponse)
        case run(RouteTable.Endpoint)
    }

    /// Finds the endpoint `request.method` selects and fills the request's route and path
    /// parameters, or answers itself.
    private func route(_ request: inout HTTPRequest, _ table: RouteTable) -> Routed {
        if request.requestID.isEmpty { request.requestID = RequestID.generate() }
        guard let match = table.match(request.path) else {
            return .answered(APIError.notFound("no route matches this path").response())
        }
        let node = match.node
        guard let endpoint = node.endpoint(for: request.method) else {
            request.route = node.endpoints[0].template.text
            if request.method == .OPTIONS { return .answered(options(request, allow: node.allow)) }
            return .answered(APIError.methodNotAllowed(allow: [node.allow]).response())
        }
        request.route = endpoint.template.text
        do {
            request.pathParameters = try Router.decodeParameters(endpoint.template.parameterNames, match.values)
        } catch {
            return .answered(error.response())
        }
        return .run(endpoint)
    }

    private func run(_ request: HTTPRequest, _ handler: (HTTPRequest) throws -> HTTPResponse) -> HTTPResponse {
        do {
            return try handler(request)
        } catch {
            return failure(error, request)
        }
    }

    /// A thrown `APIError` is its response; anything else is logged and answered 500.
    private func failure(_ error: any Error, _ request: HTTPRequest) -> HTTPResponse {
        if let error = error as? APIError { return error.response() }
        logger.error("handler failed", [
            "request_id": .string(request.requestID), "method": .string(request.method.rawValue),
            "route": .string(request.route ?? ""), "error": .string(String(describing: error)),
        ])
        return APIError.internalError().response()
    }

    /// What every answer gets: no stream for `HEAD`, CORS, `X-Request-Id`, the access line
    /// and the metrics.
    private func finish(_ request: HTTPRequest, _ answer: HTTPResponse, start: ContinuousClock.Instant) -> HTTPResponse {
        var response = request.method == .HEAD ? answer.withoutStream() : answer
        cors.apply(to: &response.headers, origin: request.headers["Origin"])
        response.headers.set("X-Request-Id", request.requestID)
        record(request, status: response.status, duration: ContinuousClock.now - start)
        return response
    }

    /// `OPTIONS` on a path without its own `OPTIONS` route: a CORS preflight, or else a plain
    /// 204 listing the methods (RFC 9110 §9.3.7).
    private func options(_ request: HTTPRequest, allow: String) -> HTTPResponse {
        if let origin = request.headers["Origin"], request.headers.contains("Access-Control-Request-Method") {
            return cors.preflight(origin: origin, allowMethods: allow)
        }
        var headers = HTTPHeaders()
        headers.set("Allow", allow)
        return .noContent(headers: headers)
    }

    /// `{name}` values, percent-decoded; a bad escape is a 400 naming the parameter.
    static func decodeParameters(_ names: [String], _ values: [Substring]) throws(APIError) -> [String: String] {
        var parameters: [String: String] = [:]
        parameters.reserveCapacity(names.count)
        for (name, raw) in zip(names, values) {
            guard let value = PercentDecoding.decode(raw, plusIsSpace: false) else {
                throw .badRequest("path parameter \(JSONString.quote(name)) is not valid percent-encoded UTF-8")
            }
            parameters[name] = value
        }
        return parameters
    }

    /// One access line and the request metrics. Labels stay bounded: the route template (not
    /// the path), the method if standard, the status.
    private func record(_ request: HTTPRequest, status: Int, duration: Duration) {
        let route = request.route ?? "unmatched"
        let method = Router.standardMethods.contains(request.method) ? request.method.rawValue : "other"
        let seconds = duration.inSeconds
        requestMetrics?.record(method: method, route: route, status: status, seconds: seconds)
        if logger.isEnabled(.info) {
            logger.info("request", [
                "request_id": .string(request.requestID), "method": .string(request.method.rawValue),
                "path": .string(request.path), "route": .string(route), "status": .int(status),
                "duration_ms": .double((seconds * 1_000_000).rounded() / 1000),
            ])
        }
    }

    private static let standardMethods: Set<HTTPMethod> = [.GET, .HEAD, .POST, .PUT, .PATCH, .DELETE, .OPTIONS]
}

extension HTTPResponse {
    /// The answer to a `HEAD` served by a `GET` route: the same head, and never an opened
    /// stream. (The server sends no body bytes for `HEAD`.)
    func withoutStream() -> HTTPResponse {
        guard case .eventStream = body else { return self }
        return HTTPResponse(status: status, headers: headers, body: .bytes([]))
    }
}
