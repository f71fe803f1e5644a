import HTTP

/// What the attachment routes and the send path share: the store, the signer, the upload
/// limits.
struct Uploads: Sendable {
    let store: UploadStore
    let links: AttachmentLinks
    let gate: UploadGate
    let rateLimiter: SendRateLimiter
    /// `UPLOAD_MAX_BYTES`.
    let maxBytes: Int
    /// Downloads sent from local disk; nil when turned off or unavailable.
    let cache: AttachmentCache?
}
