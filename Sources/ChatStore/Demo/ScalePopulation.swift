/// Who is in `ScaleSeed`'s data set, decided before anything is written (no database here, so
/// the shape can be reasoned about and tested on its own). A backoffice:
///
/// - admins: `users / 2000`, at least 10 and at most 50 (`scale-admin` is admin 0); the rest are
///   members (`scale-member` is member 0). Admins are in no circle: they see every circle chat.
/// - two conversations in five are circle chats, one per circle; the rest are direct chats
///   between an admin and a member. One circle in 400 is big (1,000 to 5,000 members), the
///   others have 10 to 50; each circle is a run of consecutive members from a random start.
///   Every tenth circle chat (the fourth, fourteenth, ...) is `admins_only`: an announcement
///   channel.
/// - `scale-member` is in the first 4 big circles (one of them admins-only) and 16 small ones
///   spread over the rest (20 in all), and has direct chats with the first 10 admins
///   (`scale-admin` among them); the other direct chats go round the admins, each with members
///   drawn at random.
///
/// Conversation ids are made here too (random, version 4), circle chats first, so that the whole
/// set, ids included, is the same on every run.
struct ScalePopulation {
    struct Circle {
        /// Slot `k < size` is member `1 + (start + k) % (members - 1)`.
        var start: Int
        var size: Int
        var adminsOnly: Bool
        /// `scale-member` is one more slot, `size`.
        var withScaleMember: Bool

        var memberCount: Int { size + (withScaleMember ? 1 : 0) }
    }

    struct Direct {
        var admin: Int
        var member: Int
    }

    static let scaleMemberCircles = 20
    static let scaleMemberDirects = 10

    let admins: Int
    let members: Int
    let circles: [Circle]
    let directs: [Direct]
    /// Conversation `i < circles.count` is the chat of circle `i`; then the direct chats.
    let conversationIDs: [String]

    /// - Throws: `ScaleSeed.Unfit` when `users` is too few for the direct chats.
    init(users: Int, conversations: Int, random: inout SplitMix64) throws(ScaleSeed.Unfit) {
        let admins = min(50, max(10, users / 2000))
        let members = users - admins
        let circleCount = max(1, conversations * 2 / 5)
        let directCount = conversations - circleCount
        let perAdmin = (directCount + admins - 1) / admins
        guard members >= 20, perAdmin < members else {
            throw ScaleSeed.Unfit("\(directCount) direct chats need more than \(users) users: "
                + "each of the \(admins) admins would talk with \(perAdmin) of \(members) members")
        }

        let big = max(1, circleCount / 400)
        let spreadCount = min(Self.scaleMemberCircles, circleCount) - min(4, big)
        let spread = Set((0..<spreadCount).map { big + $0 * (circleCount - big) / spreadCount })
        circles = (0..<circleCount).map { index in
            let size = index < big ? 1000 + Int(random.next() % 4001) : 10 + Int(random.next() % 41)
            return Circle(start: Int(random.next() % UInt64(members - 1)), size: min(size, members - 1),
                          adminsOnly: index % 10 == 3, withScaleMember: index < min(4, big) || spread.contains(index))
        }

        let ownDirects = min(Self.scaleMemberDirects, admins, directCount)
        var directs = (0..<ownDirects).map { Direct(admin: $0, member: 0) }
        var taken = [Set<Int>](repeating: [], count: admins)
        for index in 0..<(directCount - ownDirects) {
            let admin = index % admins
            var member: Int
            repeat { member = 1 + Int(random.next() % UInt64(members - 1)) } while !taken[admin].insert(member).inserted
            directs.append(Direct(admin: admin, member: member))
        }
        self.admins = admins
        self.members = members
        self.directs = directs
        conversationIDs = (0..<conversations).map { _ in Self.uuid(&random) }
    }

    /// Circle `circle`'s member in `slot` (`0..<memberCount`), as a member index.
    func member(of circle: Circle, slot: Int) -> Int {
        slot == circle.size ? 0 : 1 + (circle.start + slot) % (members - 1)
    }

    static func adminID(_ index: Int) -> String { index == 0 ? ScaleSeed.scaleAdmin : "scale-admin-\(index)" }
    static func memberID(_ index: Int) -> String { index == 0 ? ScaleSeed.scaleMember : "scale-user-\(index)" }
    static func adminName(_ index: Int) -> String { index == 0 ? "Scale Admin" : "Scale Admin \(index)" }
    static func memberName(_ index: Int) -> String { index == 0 ? "Scale Member" : "Scale User \(index)" }
    static func circleID(_ index: Int) -> String { "scale-circle-\(index)" }

    /// A random (version 4) UUID in text form, from `random`.
    private static func uuid(_ random: inout SplitMix64) -> String {
        let high = random.next() & ~0xF000 | 0x4000
        let low = random.next() & ~(0xC << 60) | (0x8 << 60)
        let hex = [high, low].map { value in
            String(repeating: "0", count: value.leadingZeroBitCount / 4) + (value == 0 ? "" : String(value, radix: 16))
        }.joined()
        var text = ""
        for (offset, character) in hex.enumerated() {
            if [8, 12, 16, 20].contains(offset) { text += "-" }
            text.append(character)
        }
        return text
    }
}
