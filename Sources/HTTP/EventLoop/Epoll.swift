import CLinuxShims
import Glibc

/// The epoll events a registration asks for. `EPOLLERR` and `EPOLLHUP` are always reported.
/// Level-triggered (as swift-nio): interest is changed instead, and `writable` is asked for
/// only while a write is pending, or an idle socket would wake the loop for ever (FlyingFox #186).
struct EpollInterest: OptionSet, Equatable {
    let rawValue: UInt32
    static let readable = EpollInterest(rawValue: EPOLLIN.rawValue)
    static let writable = EpollInterest(rawValue: EPOLLOUT.rawValue)
    /// The peer shut down its writing side (or closed): a gone client is noticed at once.
    static let readHangup = EpollInterest(rawValue: EPOLLRDHUP.rawValue)
    /// For the shared listener: wake one loop per connection, not all of them.
    static let exclusive = EpollInterest(rawValue: EPOLLEXCLUSIVE.rawValue)
}

/// What epoll reported for one registration.
struct EpollEvent {
    let token: UInt64
    let flags: UInt32
    var isReadable: Bool { flags & EPOLLIN.rawValue != 0 }
    var isWritable: Bool { flags & EPOLLOUT.rawValue != 0 }
    var isReadHangup: Bool { flags & EPOLLRDHUP.rawValue != 0 }
    var isHangupOrError: Bool { flags & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 }
}

/// One epoll instance. The 64-bit user data of each registration is a token chosen by the
/// owner (a connection's slot and generation), so an event for an fd that was closed and
/// reused within the same batch is recognised as stale and skipped.
struct Epoll {
    let fd: Int32
    private let events: UnsafeMutableBufferPointer<epoll_event>

    init(maxEvents: Int = 256) throws(SocketError) {
        fd = try syscallNoWait("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        events = .allocate(capacity: maxEvents)
    }

    func add(_ fd: Int32, interest: EpollInterest, token: UInt64) throws(SocketError) {
        try control(EPOLL_CTL_ADD, fd, interest, token)
    }

    func modify(_ fd: Int32, interest: EpollInterest, token: UInt64) throws(SocketError) {
        try control(EPOLL_CTL_MOD, fd, interest, token)
    }

    func remove(_ fd: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(self.fd, EPOLL_CTL_DEL, fd, &event)
    }

    private func control(_ op: Int32, _ target: Int32, _ interest: EpollInterest, _ token: UInt64) throws(SocketError) {
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.u64 = token
        _ = try syscallNoWait("epoll_ctl") { epoll_ctl(fd, op, target, &event) }
    }

    /// Waits up to `timeoutMilliseconds` (-1: no limit) and calls `body` for each event.
    /// An interrupted wait reports no events.
    func wait(timeoutMilliseconds: Int32, _ body: (EpollEvent) -> Void) {
        let count = epoll_wait(fd, events.baseAddress, Int32(events.count), timeoutMilliseconds)
        guard count > 0 else { return }
        for index in 0..<Int(count) {
            body(EpollEvent(token: events[index].data.u64, flags: events[index].events))
        }
    }

    func close() {
        _ = Glibc.close(fd)
        events.deallocate()
    }
}
