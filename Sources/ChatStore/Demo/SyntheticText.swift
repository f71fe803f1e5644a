import Foundation

/// Made-up message text for the synthetic data sets (`SearchBenchSeed`, `ScaleSeed`): bodies of
/// 4 to 24 words from a vocabulary of `count` words built of syllables (so words share prefixes,
/// like real ones), drawn by a rough Zipf law (a few very common, most rare), like real text.
/// The words are built once: a body is then only draws and a join.
struct SyntheticText {
    private let words: [String]

    init(vocabulary count: Int) {
        words = (0..<count).map(Self.word)
    }

    /// Word `index` of the vocabulary.
    static func word(_ index: Int) -> String {
        let syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "pe", "da", "go", "fu", "ze", "bra", "cle", "dri",
                         "é", "ña", "ür", "ost"]
        var n = index
        var word = ""
        repeat {
            word += syllables[n % syllables.count]
            n /= syllables.count
        } while n > 0
        return word
    }

    /// 4 to 24 words; word ranks follow a rough Zipf law.
    func body(_ random: inout SplitMix64) -> String {
        let count = 4 + Int(random.next() % 21)
        var body = ""
        body.reserveCapacity(count * 8)
        for index in 0..<count {
            let u = Double(random.next() % 1_000_000) / 1_000_000
            let rank = Int(pow(Double(words.count), u)) - 1
            if index > 0 { body += " " }
            body += words[min(max(rank, 0), words.count - 1)]
        }
        return body
    }
}
