import Models

/// The open streams of this process, indexed by user and by session, with each connected
/// user's role (admins receive every circle chat). A value type owned by `FanOutHub`.
struct StreamRegistry {
    private(set) var byID: [Int: Subscription] = [:]
    private var byUser: [String: [Subscription]] = [:]
    private var roles: [String: Role] = [:]
    /// Connected admins: routed every circle chat event.
    private(set) var admins: Set<String> = []

    var count: Int { byID.count }

    /// Users with at least one open stream.
    var users: Dictionary<String, [Subscription]>.Keys { byUser.keys }

    func streams(of user: String) -> [Subscription] { byUser[user] ?? [] }

    func count(of user: String) -> Int { byUser[user]?.count ?? 0 }

    func role(of user: String) -> Role? { roles[user] }

    func streams(ofSession sessionID: Int64) -> [Subscription] {
        byID.values.filter { $0.sessionID == sessionID }
    }

    /// Adds `subscription` for a user whose current role is `role`.
    mutating func add(_ subscription: Subscription, role: Role) {
        byID[subscription.id] = subscription
        byUser[subscription.userID, default: []].append(subscription)
        setRole(role, of: subscription.userID)
    }

    @discardableResult
    mutating func remove(id: Int) -> Subscription? {
        guard let subscription = byID.removeValue(forKey: id) else { return nil }
        let user = subscription.userID
        byUser[user]?.removeAll { $0 === subscription }
        if byUser[user]?.isEmpty == true {
            byUser[user] = nil
            roles[user] = nil
            admins.remove(user)
        }
        return subscription
    }

    /// Records a role change of a connected user (`user.updated`); users not connected are
    /// not tracked.
    mutating func setRole(_ role: Role, of user: String) {
        guard byUser[user] != nil else { return }
        roles[user] = role
        if role == .admin { admins.insert(user) } else { admins.remove(user) }
    }
}
