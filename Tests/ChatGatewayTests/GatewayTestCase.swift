import Dispatch
import Foundation
import Testing
import TestSupport

/// Runs blocking work (creating a database, starting or restarting a PostgreSQL cluster) on a
/// Dispatch thread, so it never holds one of the few cooperative threads that every test's
/// stream clients and awaits share.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// Runs `body` with a fresh chat database, and drops the database afterwards.
func withWorld(_ body: (ChatWorld) async throws -> Void) async throws {
    let world = try await offPool { try ChatWorld() }
    do {
        try await body(world)
    } catch {
        _ = try? await offPool { world.close() }
        throw error
    }
    _ = try? await offPool { world.close() }
}

/// Runs `body` with a fresh chat database and one `chat-gateway` process on it, and always
/// cleans both up. On failure the gateway's log is printed.
func withGateway(environment: [String: String] = [:],
                 _ body: (ChatWorld, GatewayProcess) async throws -> Void) async throws {
    try await withWorld { world in
        let gateway = try await GatewayProcess.start(databaseURL: world.url, environment: environment)
        do {
            try await body(world, gateway)
        } catch {
            await gateway.stop()
            print("chat-gateway output (last 4000 bytes):\n\(gateway.output.suffix(4000))")
            throw error
        }
        await gateway.stop()
    }
}
