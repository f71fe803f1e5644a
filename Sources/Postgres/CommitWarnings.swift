import CLibPQ

/// Counts the WARNING notices a session receives, so `withTransaction` can tell a `COMMIT`
/// that PostgreSQL answered with a warning from a clean one.
///
/// Why: with synchronous replication, a commit whose wait for the standby is cancelled
/// (`pg_cancel_backend`, a statement timeout) is reported as successful with only a WARNING
/// (`canceling wait for synchronous replication`), although no standby has it: a failover
/// then loses it. The severity is read non-localized (`PG_DIAG_SEVERITY_NONLOCALIZED`), so
/// the check holds whatever `lc_messages` the server uses.
final class CommitWarnings {
    private(set) var count = 0
    private(set) var lastMessage: String?

    /// Installs the receiver on `handle`; `self` must outlive the handle (the connection owns both).
    func install(on handle: OpaquePointer) {
        PQsetNoticeReceiver(handle, { context, result in
            guard let context, let result else { return }
            let warnings = Unmanaged<CommitWarnings>.fromOpaque(context).takeUnretainedValue()
            guard let severity = PQresultErrorField(result, Int32(Character("V").asciiValue!)),
                  String(cString: severity) == "WARNING" else { return }
            warnings.count += 1
            warnings.lastMessage = PQresultErrorField(result, Int32(Character("M").asciiValue!)).map { String(cString: $0) }
        }, Unmanaged.passUnretained(self).toOpaque())
    }
}
