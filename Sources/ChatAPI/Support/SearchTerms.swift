import Foundation

/// The words of a message search (docs/api.md, "Message search"): `q` split into runs of
/// letters and digits, each matched as a whole word or a word prefix, all of them required.
/// The same folding (case and accents) decides which words of a body the highlight marks;
/// the database folds with `chat.search` (simple + unaccent).
struct SearchTerms: Sendable, Equatable {
    /// The words as typed (letters and digits only).
    let words: [String]
    /// The words folded, for the highlight.
    let folded: [String]

    /// nil when `q` holds no letter or digit.
    init?(_ q: String) {
        let words = Self.runs(of: q).compactMap { run -> String? in run.isWord ? String(run.text) : nil }
        guard !words.isEmpty else { return nil }
        self.words = words
        self.folded = words.map(Self.fold)
    }

    /// The `to_tsquery` text: `'w1':* & 'w2':*`. Safe to pass as data: a word holds only
    /// letters and digits, never a quote or an operator.
    var tsquery: String {
        words.map { "'\($0)':*" }.joined(separator: " & ")
    }

    /// `body` HTML-escaped, with each word that starts with one of the terms wrapped whole in
    /// `<mark>`.
    func highlight(_ body: String) -> String {
        var html = ""
        for run in Self.runs(of: body) {
            let escaped = Self.escapeHTML(run.text)
            if run.isWord, case let word = Self.fold(String(run.text)), folded.contains(where: { word.hasPrefix($0) }) {
                html += "<mark>" + escaped + "</mark>"
            } else {
                html += escaped
            }
        }
        return html
    }

    /// Lower case without accents ("Élan" -> "elan").
    static func fold(_ word: String) -> String {
        word.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
    }

    static func escapeHTML(_ text: Substring) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// `text` cut into alternating runs of word characters (letters, digits, combining marks)
    /// and the rest.
    private static func runs(of text: String) -> [(text: Substring, isWord: Bool)] {
        var runs: [(text: Substring, isWord: Bool)] = []
        var start = text.startIndex
        var inWord: Bool?
        for index in text.indices {
            let isWord = text[index].isLetter || text[index].isNumber
            if let current = inWord, current != isWord {
                runs.append((text[start..<index], current))
                start = index
            }
            inWord = isWord
        }
        if let inWord { runs.append((text[start...], inWord)) }
        return runs
    }
}
