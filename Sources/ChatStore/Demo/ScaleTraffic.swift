import Foundation

/// Who says what where in `ScaleSeed`'s history, one message at a time, deterministic.
///
/// - Uneven: each conversation gets a weight drawn from a Pareto law (shape 1.2), times the
///   square root of its size over 30 (bigger circles talk more, direct chats less), so most are
///   quiet and a few very busy; each message picks its conversation by weight.
/// - Allowed senders only: in a circle chat a member of the circle (nine in ten) or an admin;
///   in an admins-only chat an admin; in a direct chat either participant.
/// - Three circle-chat messages in a hundred mention another member of the circle, with
///   `@Name` at the start of the body, as the reference UI writes it.
struct ScaleTraffic {
    private let population: ScalePopulation
    private let text = SyntheticText(vocabulary: 20_000)
    /// Running sums of the conversations' weights.
    private let cumulative: [Double]
    private var random: SplitMix64

    init(population: ScalePopulation, seed: UInt64) {
        self.population = population
        random = SplitMix64(seed: seed)
        var sum = 0.0
        var cumulative: [Double] = []
        for index in population.conversationIDs.indices {
            let people = index < population.circles.count ? population.circles[index].memberCount : 2
            sum += pow(Double(random.next() % 1_000_000 + 1) / 1_000_000, -1 / 1.2) * (Double(people) / 30).squareRoot()
            cumulative.append(sum)
        }
        self.cumulative = cumulative
    }

    /// The next message.
    mutating func next() -> BulkMessageLoader.Message {
        let conversation = pickConversation()
        guard conversation < population.circles.count else {
            let direct = population.directs[conversation - population.circles.count]
            let sender = random.next() % 2 == 0
                ? ScalePopulation.adminID(direct.admin) : ScalePopulation.memberID(direct.member)
            return BulkMessageLoader.Message(conversation: conversation, sender: sender, body: text.body(&random))
        }
        let circle = population.circles[conversation]
        var sender = ScalePopulation.adminID(pick(population.admins))
        var senderMember: Int?
        if !circle.adminsOnly && random.next() % 10 != 0 {
            let member = population.member(of: circle, slot: pick(circle.memberCount))
            sender = ScalePopulation.memberID(member)
            senderMember = member
        }
        var body = text.body(&random)
        var mentions: [String] = []
        if random.next() % 100 < 3 {
            let mentioned = population.member(of: circle, slot: pick(circle.memberCount))
            if mentioned != senderMember {
                mentions = [ScalePopulation.memberID(mentioned)]
                body = "@\(ScalePopulation.memberName(mentioned)) " + body
            }
        }
        return BulkMessageLoader.Message(conversation: conversation, sender: sender, body: body, mentions: mentions)
    }

    /// A conversation index, by weight: the first whose running sum passes a uniform draw.
    private mutating func pickConversation() -> Int {
        let target = Double(random.next() >> 11) / Double(1 << 53) * cumulative[cumulative.count - 1]
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }

    private mutating func pick(_ count: Int) -> Int {
        Int(random.next() % UInt64(count))
    }
}
