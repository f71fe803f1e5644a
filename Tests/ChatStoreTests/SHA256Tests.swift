import ChatStore
import Foundation
import Testing
import TestSupport

@Suite("SHA-256")
struct SHA256Tests {
    @Test("matches the FIPS 180-2 test vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func fipsVectors(message: String, digest: String) {
        #expect(SHA256.hex(SHA256.hash(message)) == digest)
    }

    /// A fifth of a second of CPU in a debug build: on a thread of its own, not the cooperative
    /// pool's few.
    @Test("hashes a million 'a' (many blocks)")
    func millionA() async {
        let digest = await offloaded { SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)) }
        #expect(SHA256.hex(digest) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("agrees with PostgreSQL's sha256() at every padding boundary")
    func agreesWithPostgresAcrossLengths() async throws {
        try await StoreFixture.with(migrated: false) { fixture in
            var generator = SystemRandomNumberGenerator()
            for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000] {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let expected = try await fixture.pool.query("SELECT sha256(\(Data(bytes))) AS d")[0].decode("d", as: Data.self)
                #expect(SHA256.hash(bytes) == [UInt8](expected), "length \(length)")
            }
        }
    }
}
