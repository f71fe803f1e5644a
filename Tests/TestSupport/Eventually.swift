/// Waits until `condition` holds, checking every `interval`, for at most `timeout`. The
/// timeout is generous on purpose: it bounds the wait for something that must happen, so only
/// a failing test ever waits that long. The one way tests wait for something to happen:
/// `#expect(await eventually { … })`, or `try #require(await eventually { … })` when the
/// rest of the test needs it.
/// - Returns: whether it held in time.
public func eventually(timeout: Duration = .seconds(15), every interval: Duration = .milliseconds(10),
                       _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
