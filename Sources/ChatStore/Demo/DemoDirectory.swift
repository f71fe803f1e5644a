/// The people and circles of the demo: two admins, 36 members (one of them deactivated), four
/// circles. Ids are readable (`user-amara`) so a DBA can follow them in psql.
enum DemoDirectory {
    struct Person {
        var id: String
        var name: String
        var email: String
        var avatarURL: String?
        var role: String
        var active: Bool
    }

    struct Circle {
        var id: String
        var name: String
        var url: String
        var memberIDs: [String]
        /// nil: the circle has no chat yet (so "Create Circle Chat" has something to offer).
        var chat: Chat?
    }

    struct Chat {
        var customTitle: String?
        var sendPolicy: String
        var messageCount: Int
        var lines: [String]
    }

    static let admins = ["admin-grace", "admin-tomas"]

    static let people: [Person] = {
        let admins = [
            ("admin-grace", "Grace Okafor", "grace.okafor"),
            ("admin-tomas", "Tomás Herrera", "tomas.herrera"),
        ]
        let members = [
            ("amara", "Amara Nwosu", "amara.nwosu"), ("liam", "Liam O'Brien", "liam.obrien"),
            ("sofia", "Sofia Rossi", "sofia.rossi"), ("kenji", "Kenji Watanabe", "kenji.watanabe"),
            ("priya", "Priya Raman", "priya.raman"), ("mateo", "Mateo García", "mateo.garcia"),
            ("chloe", "Chloé Martin", "chloe.martin"), ("jonas", "Jonas Becker", "jonas.becker"),
            ("aisha", "Aisha Khan", "aisha.khan"), ("lucas", "Lucas Silva", "lucas.silva"),
            ("emma", "Emma Johansson", "emma.johansson"), ("noah", "Noah Williams", "noah.williams"),
            ("yara", "Yara Haddad", "yara.haddad"), ("mia", "Mia Kowalski", "mia.kowalski"),
            ("ethan", "Ethan Nguyen", "ethan.nguyen"), ("zara", "Zara Ahmed", "zara.ahmed"),
            ("oliver", "Oliver Brown", "oliver.brown"), ("isabella", "Isabella Costa", "isabella.costa"),
            ("arjun", "Arjun Mehta", "arjun.mehta"), ("hana", "Hana Suzuki", "hana.suzuki"),
            ("leon", "Leon Fischer", "leon.fischer"), ("fatima", "Fatima Zahra El Amrani", "fatima.elamrani"),
            ("samuel", "Samuel Mensah", "samuel.mensah"), ("ingrid", "Ingrid Larsen", "ingrid.larsen"),
            ("diego", "Diego Fernández", "diego.fernandez"), ("nora", "Nora Lindqvist", "nora.lindqvist"),
            ("omar", "Omar Farouk", "omar.farouk"), ("elena", "Elena Popescu", "elena.popescu"),
            ("kofi", "Kofi Boateng", "kofi.boateng"), ("lea", "Lea Müller", "lea.mueller"),
            ("daniel", "Daniel Cohen", "daniel.cohen"), ("ana", "Ana Pereira", "ana.pereira"),
            ("viktor", "Viktor Novak", "viktor.novak"), ("meilin", "Mei Lin Chen", "meilin.chen"),
            ("tariq", "Tariq Hussain", "tariq.hussain"), ("julia", "Julia Nowak", "julia.nowak"),
        ]
        var people = admins.map { id, name, mailbox in
            Person(id: id, name: name, email: "\(mailbox)@backoffice.example.com",
                   avatarURL: avatar(id), role: "admin", active: true)
        }
        for (index, (slug, name, mailbox)) in members.enumerated() {
            let id = "user-\(slug)"
            people.append(Person(
                id: id, name: name, email: "\(mailbox)@example.com",
                avatarURL: index % 3 == 2 ? nil : avatar(id), role: "member", active: slug != "viktor"))
        }
        return people
    }()

    static var memberIDs: [String] {
        people.filter { $0.role == "member" }.map(\.id)
    }

    static let circles: [Circle] = {
        let members = memberIDs
        return [
            Circle(
                id: "circle-all-staff", name: "All Staff", url: circleURL("all-staff"), memberIDs: members,
                chat: Chat(customTitle: "Announcements", sendPolicy: "admins_only", messageCount: 11,
                           lines: DemoScript.announcements)),
            Circle(
                id: "circle-warehouse-north", name: "Warehouse North", url: circleURL("warehouse-north"),
                memberIDs: Array(members[0..<12]),
                chat: Chat(customTitle: nil, sendPolicy: "all_members", messageCount: 34, lines: DemoScript.teamChat)),
            Circle(
                id: "circle-night-shift", name: "Night Shift", url: circleURL("night-shift"),
                memberIDs: Array(members[10..<19]),
                chat: Chat(customTitle: "Night Shift Handover", sendPolicy: "all_members", messageCount: 28,
                           lines: DemoScript.teamChat)),
            Circle(
                id: "circle-field-sales", name: "Field Sales", url: circleURL("field-sales"),
                memberIDs: Array(members[20..<30]), chat: nil),
        ]
    }()

    /// (admin, member, number of messages) for each direct chat.
    static let directChats: [(String, String, Int)] = [
        ("admin-grace", "user-amara", 12), ("admin-grace", "user-liam", 10), ("admin-grace", "user-sofia", 11),
        ("admin-grace", "user-kenji", 9), ("admin-grace", "user-priya", 13), ("admin-tomas", "user-mateo", 10),
        ("admin-tomas", "user-amara", 9),
    ]

    private static func avatar(_ id: String) -> String {
        "https://i.pravatar.cc/128?u=\(id)"
    }

    private static func circleURL(_ slug: String) -> String {
        "https://backoffice.example.com/circles/\(slug)"
    }
}
