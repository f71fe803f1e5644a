import CLibPQ
import Foundation

/// Where and how to connect: a libpq connection URL (`postgres://user@host:port/dbname?...`, or
/// a `key=value` connection string), a connect timeout and the `application_name` that
/// `pg_stat_activity` shows.
///
/// The URL may hold a password; nothing this module prints or throws ever contains it.
/// `description` names only user, host, port and database.
public struct PostgresConfig: Sendable, CustomStringConvertible {
    /// The libpq connection URL or connection string. Contains the password, if any: never log it.
    public var url: String
    /// How long one connection attempt may take. libpq counts whole seconds, at least 2.
    public var connectTimeout: Duration
    /// Shown in `pg_stat_activity.application_name`; helps a DBA tell the services apart.
    public var applicationName: String

    /// - Parameters:
    ///   - url: a libpq URL or connection string, e.g. `postgres://chat@127.0.0.1:5432/chat`.
    ///   - connectTimeout: bound on one connection attempt (default 5 s).
    ///   - applicationName: the name shown to DBAs (default: this process's name).
    public init(
        url: String, connectTimeout: Duration = .seconds(5),
        applicationName: String = ProcessInfo.processInfo.processName
    ) {
        self.url = url
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
    }

    /// Reads `DATABASE_URL` from the environment.
    ///
    /// - Throws: `PostgresError` of kind `.configuration` when the variable is unset or empty.
    public static func fromEnvironment(
        connectTimeout: Duration = .seconds(5),
        applicationName: String = ProcessInfo.processInfo.processName
    ) throws -> PostgresConfig {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw PostgresError(
                .configuration,
                "DATABASE_URL is not set; it must be a PostgreSQL URL such as postgres://user@127.0.0.1:5432/dbname")
        }
        return PostgresConfig(url: url, connectTimeout: connectTimeout, applicationName: applicationName)
    }

    /// `user@host:port/dbname`, without the password: safe for logs and error messages.
    public var description: String {
        guard let parts = try? ConnectionParameters.parse(url) else { return "<unparsable PostgreSQL URL>" }
        return parts.endpoint
    }
}
