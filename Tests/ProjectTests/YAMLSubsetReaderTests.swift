import Testing

@Suite("YAML subset reader")
struct YAMLSubsetReaderTests {
    @Test func readsNestedMappingsSequencesAndFlowSequences() throws {
        let value = try YAMLSubsetReader.parse("""
            # a comment
            services:
              db:
                image: postgres:15   # trailing comment
                command: ["postgres", "-c", 'max_connections=300']
                ports:
                  - "8080:8080"
                  - 9090:9090
                empty:
            volumes:
              data:
            """)
        let db = try #require(value["services"]?["db"])
        #expect(db["image"] == .scalar("postgres:15"))
        #expect(db["command"] == .sequence([.scalar("postgres"), .scalar("-c"), .scalar("max_connections=300")]))
        #expect(db["ports"] == .sequence([.scalar("8080:8080"), .scalar("9090:9090")]))
        #expect(db["empty"] == .scalar(""))
        #expect(value["volumes"]?.keys == ["data"])
        #expect(value.keys == ["services", "volumes"])
    }

    @Test func readsSequencesAtTheKeysIndentationAndMappingItems() throws {
        let value = try YAMLSubsetReader.parse("""
            list:
            - a
            - name: x
              value: "it's \\"quoted\\""
            other: it's plain # comment
            """)
        let items = try #require(value["list"]?.items)
        #expect(items.count == 2)
        #expect(items[0] == .scalar("a"))
        #expect(items[1]["name"] == .scalar("x"))
        #expect(items[1]["value"] == .scalar("it's \"quoted\""))
        #expect(value["other"] == .scalar("it's plain"))
    }

    @Test func keepsHashesAndColonsInsideQuotesAndValues() throws {
        let value = try YAMLSubsetReader.parse("""
            url: "postgres://u:p@h:5432/db#x"
            shell: 'a # b'
            key: a:b
            """)
        #expect(value["url"] == .scalar("postgres://u:p@h:5432/db#x"))
        #expect(value["shell"] == .scalar("a # b"))
        #expect(value["key"] == .scalar("a:b"))
    }

    @Test(arguments: [
        ("a: &anchor 1", 1),
        ("a: *alias", 1),
        ("a: |\n  text", 1),
        ("a: {b: 1}", 1),
        ("a:\n\tb: 1", 2),
        ("a: 1\n   b: 2", 2),
        ("a: \"open", 1),
        ("a: 1\na: 2", 2),
        ("a: [1, 2", 1),
        ("just text", 1),
        ("a: 1\n- b", 2),
    ])
    func refusesWhatIsOutsideTheSubsetNamingTheLine(document: String, line: Int) {
        #expect {
            _ = try YAMLSubsetReader.parse(document)
        } throws: { error in
            (error as? YAMLSubsetError)?.line == line
        }
    }
}
