import ChatStore
import Foundation
import HTTP

/// The reference UI (the `Public` resource folder, owned by the UI): read into memory once at
/// start and served from there. Only files found at start can be served, by their exact
/// relative path, so no request can reach outside the folder (`..`, encoded slashes and
/// symbolic links simply match nothing). `Cache-Control: no-cache` with an `ETag`: browsers
/// revalidate every time and get 304 while the file is unchanged.
struct StaticFiles: Sendable {
    struct File: Sendable {
        var bytes: [UInt8]
        var contentType: String
        var etag: String
    }

    /// Relative path (`index.html`, `js/api.js`) to file.
    let files: [String: File]

    /// The files of `Bundle.module`'s `Public` folder (none if it is missing).
    static func bundled() -> StaticFiles {
        guard let root = Bundle.module.url(forResource: "Public", withExtension: nil) else { return StaticFiles(files: [:]) }
        return load(from: root)
    }

    /// Regular files up to two levels deep (`a.css`, `js/b.js`): the routes serve no deeper.
    static func load(from root: URL) -> StaticFiles {
        var files: [String: File] = [:]
        let manager = FileManager.default
        func add(_ url: URL, as path: String) {
            guard let data = manager.contents(atPath: url.path) else { return }
            let bytes = Array(data)
            files[path] = File(bytes: bytes, contentType: contentType(for: url.pathExtension),
                               etag: "\"" + SHA256.hex(SHA256.hash(bytes)).prefix(32) + "\"")
        }
        for name in (try? manager.contentsOfDirectory(atPath: root.path)) ?? [] where !name.hasPrefix(".") {
            let url = root.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue {
                add(url, as: name)
                continue
            }
            for inner in (try? manager.contentsOfDirectory(atPath: url.path)) ?? [] where !inner.hasPrefix(".") {
                let innerURL = url.appendingPathComponent(inner)
                var innerIsDirectory: ObjCBool = false
                if manager.fileExists(atPath: innerURL.path, isDirectory: &innerIsDirectory), !innerIsDirectory.boolValue {
                    add(innerURL, as: "\(name)/\(inner)")
                }
            }
        }
        return StaticFiles(files: files)
    }

    func register(on router: Router) {
        router.addImmediate(.GET, "/") { request in serve("index.html", request) }
        router.addImmediate(.GET, "/{file}") { request in serve(request.pathParameters["file"] ?? "", request) }
        router.addImmediate(.GET, "/{folder}/{file}") { request in
            serve("\(request.pathParameters["folder"] ?? "")/\(request.pathParameters["file"] ?? "")", request)
        }
    }

    func serve(_ path: String, _ request: HTTPRequest) -> HTTPResponse {
        guard let file = files[path] else { return APIError.notFound("no such file").response() }
        var headers = HTTPHeaders()
        headers.set("Cache-Control", "no-cache")
        headers.set("ETag", file.etag)
        headers.set("X-Content-Type-Options", "nosniff")
        if request.headers["If-None-Match"]?.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == file.etag }) == true {
            return HTTPResponse(status: 304, headers: headers)
        }
        headers.set("Content-Type", file.contentType)
        return HTTPResponse(status: 200, headers: headers, body: .bytes(file.bytes))
    }

    static func contentType(for fileExtension: String) -> String {
        switch fileExtension.lowercased() {
        case "html", "htm": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json", "map": "application/json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "gif": "image/gif"
        case "webp": "image/webp"
        case "ico": "image/x-icon"
        case "woff2": "font/woff2"
        case "woff": "font/woff"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}
