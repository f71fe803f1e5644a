/// A file carried by a message (API.md, "Attachments"): `{"id", "filename", "content_type",
/// "size", "width"?, "height"?, "url"}`. `url` (a signed download link) is minted for each reader
/// in API answers and absent from stream events; `width`/`height` only for images.
public struct Attachment: Codable, Sendable, Equatable {
    public var id: String
    public var filename: String
    public var contentType: String
    public var size: Int64
    public var width: Int?
    public var height: Int?
    public var url: String?

    public init(id: String, filename: String, contentType: String, size: Int64, width: Int? = nil, height: Int? = nil,
                url: String? = nil) {
        self.id = id
        self.filename = filename
        self.contentType = contentType
        self.size = size
        self.width = width
        self.height = height
        self.url = url
    }

    enum CodingKeys: String, CodingKey { case id, filename, contentType = "content_type", size, width, height, url }
}
