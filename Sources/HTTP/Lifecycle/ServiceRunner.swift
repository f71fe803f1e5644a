import Foundation

/// The whole life of a service process, shared by `chat-api` and `chat-gateway` so both behave
/// the same way (docs/api.md, "Operations"):
///
/// 1. SIGTERM/SIGINT handlers are installed first, SIGPIPE is ignored.
/// 2. `make` reads the settings and builds the service. A bad setting prints ONE line on
///    standard error (`chat-api: invalid setting API_PORT: expected ...`) and exits with 78
///    (`EX_CONFIG`); any other failure to build or start prints one line and exits with 1.
/// 3. The service runs until SIGTERM or SIGINT, then `shutdown` gets `shutdownDeadline` to
///    finish in-flight work, and the process exits 0. A watchdog exits anyway shortly after
///    the deadline, and a second signal exits at once: a stuck shutdown never outlives the
///    platform's patience (10 seconds).
public enum ServiceRunner {
    /// Exit status for a configuration error (`sysexits.h`).
    public static let configurationErrorStatus: Int32 = 78

    public static func run(
        name: String, logger: Logger, shutdownDeadline: Duration = .seconds(8),
        make: () throws -> any LifecycleService
    ) async -> Never {
        signal(SIGPIPE, SIG_IGN)
        let signals = TerminationSignals()
        let service: any LifecycleService
        do {
            service = try make()
        } catch let error as EnvironmentSettingError {
            fail(name, "\(error)", status: configurationErrorStatus)
        } catch {
            fail(name, "cannot start: \(error)", status: 1)
        }
        do {
            try await service.start()
        } catch {
            fail(name, "cannot start: \(error)", status: 1)
        }
        let first = await signals.next()
        logger.info("stopping", ["signal": .string(TerminationSignals.name(first))])
        Task.detached {
            let second = await signals.next()
            logger.warning("second signal: exiting now", ["signal": .string(TerminationSignals.name(second))])
            exit(1)
        }
        let watchdog = Thread {
            Thread.sleep(forTimeInterval: shutdownDeadline.inSeconds + 1.5)
            logger.error("shutdown passed its deadline: exiting")
            exit(0)
        }
        watchdog.start()
        await service.shutdown(deadline: shutdownDeadline)
        logger.info("stopped")
        exit(0)
    }

    /// One line on standard error, then exit.
    static func fail(_ name: String, _ message: String, status: Int32) -> Never {
        FileHandle.standardError.write(Data("\(name): \(message)\n".utf8))
        exit(status)
    }
}
