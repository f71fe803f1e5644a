import CLibPQ
import Glibc

/// The listener thread: connect, LISTEN, deliver, and on any failure wait and start over.
extension PostgresListener {
    /// Thrown inside the loop when `stop()` interrupts a wait.
    private struct Stopped: Error {}

    func run() {
        var hasListened = false
        var failures = 0
        while !stopRequested {
            do {
                let connection = try connect()
                defer { connection.close() }
                for channel in channels {
                    try connection.execute("LISTEN \(identifier: channel)")
                }
                state.withLock { $0.connected = true }
                failures = 0
                onConnect(hasListened)
                hasListened = true
                try deliver(from: connection)
                return
            } catch is Stopped {
                return
            } catch {
                state.withLock { $0.connected = false }
                if stopRequested { return }
                onError?(
                    error as? PostgresError ?? PostgresError(.connection, String(describing: error)))
                failures += 1
                if (try? wait(for: backoff.delay(afterFailures: failures))) == nil { return }
            }
        }
    }

    /// Connects without blocking on the socket, so `stop()` interrupts a slow connect, and
    /// bounded by `config.connectTimeout`.
    private func connect() throws -> PostgresConnection {
        var parameters = try ConnectionParameters.forConnecting(config)
        parameters.addKeepalives()
        guard let handle = parameters.withCArrays({ PQconnectStartParams($0, $1, 0) }) else {
            throw PostgresError(.connection, "could not connect to \(parameters.endpoint): out of memory")
        }
        let connection = PostgresConnection(handle: handle, parameters: parameters)
        let deadline = ContinuousClock.now + config.connectTimeout
        var status = PQstatus(handle) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING
        while status != PGRES_POLLING_OK {
            switch status {
            case PGRES_POLLING_READING, PGRES_POLLING_WRITING:
                let events = Int16(status == PGRES_POLLING_READING ? POLLIN : POLLOUT)
                guard try waitForSocket(PQsocket(handle), events: events, until: deadline) else {
                    connection.close()
                    throw PostgresError(
                        .connection,
                        "could not connect to \(parameters.endpoint): timed out after \(config.connectTimeout.readable)")
                }
            default:
                let reason = parameters.clean(String(cString: PQerrorMessage(handle)))
                connection.close()
                throw PostgresError(.connection, "could not connect to \(parameters.endpoint): \(reason)")
            }
            status = PQconnectPoll(handle)
        }
        return connection
    }

    /// Delivers notifications until `stop()` (returns) or the connection breaks (throws).
    private func deliver(from connection: PostgresConnection) throws {
        let handle = try connection.openHandle()
        while true {
            try drainNotifications(handle)
            _ = try waitForSocket(PQsocket(handle), events: Int16(POLLIN), until: nil)
            guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
                let reason = connection.parameters.clean(String(cString: PQerrorMessage(handle)))
                throw PostgresError(
                    .connection, "listener connection to \(connection.parameters.endpoint) lost: \(reason)")
            }
        }
    }

    private func drainNotifications(_ handle: OpaquePointer) throws {
        while let notification = PQnotifies(handle) {
            let channel = String(cString: notification.pointee.relname)
            let payload = String(cString: notification.pointee.extra)
            PQfreemem(notification)
            if stopRequested { throw Stopped() }
            onNotification(channel, payload)
        }
    }

    /// Waits until `socket` is ready for `events` (true) or `deadline` passes (false).
    /// - Throws: `Stopped` when `stop()` is called.
    private func waitForSocket(_ socket: Int32, events: Int16, until deadline: ContinuousClock.Instant?) throws -> Bool {
        var descriptors = [
            pollfd(fd: socket, events: events, revents: 0),
            pollfd(fd: wakeup.readDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            if stopRequested { throw Stopped() }
            var timeout = wakeup.pollInterval
            if let deadline {
                let remaining = ContinuousClock.now.duration(to: deadline)
                if remaining <= .zero { return false }
                let milliseconds = remaining.pollMilliseconds
                timeout = timeout < 0 ? milliseconds : min(timeout, milliseconds)
            }
            let ready = poll(&descriptors, 2, timeout)
            if ready < 0 && errno != EINTR {
                throw PostgresError(.connection, "poll failed: errno \(errno)")
            }
            if descriptors[1].revents != 0 || stopRequested { throw Stopped() }
            if descriptors[0].revents != 0 { return true }
        }
    }

    /// Sleeps for `delay` unless `stop()` comes first (then throws `Stopped`).
    private func wait(for delay: Duration) throws {
        let deadline = ContinuousClock.now + delay
        var descriptor = pollfd(fd: wakeup.readDescriptor, events: Int16(POLLIN), revents: 0)
        while ContinuousClock.now < deadline {
            if stopRequested { throw Stopped() }
            let remaining = ContinuousClock.now.duration(to: deadline)
            let milliseconds = remaining.pollMilliseconds
            let timeout = wakeup.pollInterval < 0 ? milliseconds : min(wakeup.pollInterval, milliseconds)
            if poll(&descriptor, 1, timeout) > 0 { throw Stopped() }
        }
    }
}
