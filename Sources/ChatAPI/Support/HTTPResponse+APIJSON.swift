import HTTP

extension HTTPResponse {
    /// A JSON response written by `StreamingJSONEncoder` (the API's hot paths: pages of
    /// messages and conversations). Encoding our own types cannot fail; if it ever does, the
    /// client gets the generic 500, never half a body.
    static func apiJSON<T: Encodable>(_ status: Int, _ value: T) -> HTTPResponse {
        guard let bytes = try? StreamingJSONEncoder.encode(value) else { return APIError.internalError().response() }
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/json")
        return HTTPResponse(status: status, headers: headers, body: .bytes(bytes))
    }
}
