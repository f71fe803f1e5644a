import Testing
@testable import ChatGateway

@Suite("Audience cache: loaded once, kept current by membership events, evicted when idle")
struct AudienceCacheTests {
    @Test("only conversations not cached are asked for; unknown ones route to nobody")
    func missingAndUnknown() {
        var cache = AudienceCache()
        let now = ContinuousClock.now
        #expect(cache.missing(["a", "b"]) == ["a", "b"])
        cache.store(["a": Audience(kind: .circle, members: ["u1"])], asked: ["a", "b"], now: now)
        #expect(cache.missing(["a", "b", "c"]) == ["c"])
        #expect(cache.audience(of: "b", now: now) == Audience.nobody)
    }

    @Test("membership events change a cached audience and are ignored for uncached ones")
    func membershipEvents() {
        var cache = AudienceCache()
        let now = ContinuousClock.now
        cache.store(["a": Audience(kind: .circle, members: ["u1"])], asked: ["a"], now: now)
        cache.add("u2", to: "a")
        cache.remove("u1", from: "a")
        cache.add("u3", to: "not-cached")
        #expect(cache.audience(of: "a", now: now)?.members == ["u2"])
        #expect(cache.missing(["not-cached"]) == ["not-cached"])
    }

    @Test("entries unused for the idle limit are evicted; used ones stay")
    func eviction() {
        var cache = AudienceCache(idleLimit: .seconds(10))
        let start = ContinuousClock.now
        cache.store(["old": .nobody, "used": .nobody], asked: ["old", "used"], now: start)
        _ = cache.audience(of: "used", now: start + .seconds(8))
        cache.evictIdle(now: start + .seconds(12))
        #expect(cache.missing(["old", "used"]) == ["old"])
    }
}
