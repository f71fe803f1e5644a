import Foundation
import Testing

/// Source comments cite documentation as `docs/FILE.md, "Section"`; every such section must
/// exist, so a renamed heading cannot leave a comment pointing nowhere.
@Suite("Documentation cited by source comments")
struct DocCitationTests {
    /// One citation: which file, which section, and where.
    struct Citation: Equatable, CustomStringConvertible {
        var document: String
        var section: String
        var source: String
        var description: String { "\(source): \(document), \"\(section)\"" }
    }

    /// The citations in `text` (a Swift file): comment lines are joined first, so a citation
    /// may wrap onto the next comment line.
    static func citations(in text: String, source: String) -> [Citation] {
        var comments = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("//") {
                comments += trimmed.drop { $0 == "/" } + " "
            } else {
                comments += "\n"
            }
        }
        let pattern = /(docs\/[a-z0-9_-]+\.md),\s+"([^"\n]+)"/
        return comments.matches(of: pattern).map { match in
            Citation(document: String(match.output.1),
                     section: String(match.output.2).split(whereSeparator: \.isWhitespace).joined(separator: " "),
                     source: source)
        }
    }

    /// The headings of a Markdown file, without `#`s and backticks.
    static func headings(of markdown: String) -> Set<String> {
        Set(markdown.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("#") else { return nil }
            return line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).replacing("`", with: "")
        })
    }

    @Test func everyCitedSectionExists() throws {
        var citations: [Citation] = []
        for folder in ["Sources", "Tests"] {
            for path in ProjectFile.swiftFiles(under: folder) {
                citations += Self.citations(in: try ProjectFile.text(path), source: path)
            }
        }
        #expect(citations.count >= 5, "the scanner finds the citations")
        var headingsByDocument: [String: Set<String>] = [:]
        for citation in citations where headingsByDocument[citation.document] == nil {
            headingsByDocument[citation.document] = Self.headings(of: (try? ProjectFile.text(citation.document)) ?? "")
        }
        let broken = citations.filter { !(headingsByDocument[$0.document] ?? []).contains($0.section) }
        #expect(broken == [], "cited sections that do not exist")
    }

    @Test func citationsAreFoundAcrossCommentLinesAndHeadingsWithoutBackticks() {
        let source = """
            /// Routes events (docs/architecture.md, "chat.events.type
            /// values"); see also docs/api.md, "Operations".
            let x = "docs/api.md, \\"Not a comment\\""
            """
        #expect(Self.citations(in: source, source: "x").map(\.description) == [
            #"x: docs/architecture.md, "chat.events.type values""#, #"x: docs/api.md, "Operations""#,
        ])
        #expect(Self.headings(of: "# Title\n\n### `POST /v1/x`\ntext") == ["Title", "POST /v1/x"])
    }
}
