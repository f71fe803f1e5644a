// swift-tools-version:6.0
// The chat back end: two services (chat-api, chat-gateway) and an admin CLI (chatctl)
// over PostgreSQL. No package dependencies: the toolchain, Glibc and libpq only.
import PackageDescription

let package = Package(
    name: "chat-backend",
    products: [
        .executable(name: "chat-api", targets: ["chat-api"]),
        .executable(name: "chat-gateway", targets: ["chat-gateway"]),
        .executable(name: "chatctl", targets: ["chatctl"]),
    ],
    targets: [
        // C faces: libpq (PostgreSQL's client) and the Linux calls Glibc's module leaves out.
        .systemLibrary(
            name: "CLibPQ", path: "Sources/CLibPQ",
            pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "CLinuxShims", path: "Sources/CLinuxShims"),

        // Libraries: one job each, dependencies pointing one way.
        .target(name: "Models"),
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        .target(name: "HTTP", dependencies: ["CLinuxShims"]),
        .target(name: "ChatStore", dependencies: ["Models", "Postgres"]),
        .target(
            name: "ChatAPI", dependencies: ["Models", "Postgres", "HTTP", "ChatStore"],
            resources: [.copy("Public")]),
        .target(name: "ChatGateway", dependencies: ["Models", "Postgres", "HTTP", "ChatStore"]),

        // Thin executables.
        .executableTarget(name: "chat-api", dependencies: ["ChatAPI"]),
        .executableTarget(name: "chat-gateway", dependencies: ["ChatGateway"]),
        .executableTarget(name: "chatctl", dependencies: ["ChatStore"]),
        // scripts/bench-fanout's load client: many event streams per thread on epoll.
        .executableTarget(name: "fanout-bench", dependencies: ["CLinuxShims"]),
        // The HTTP engine alone, for scripts/bench-http.
        .executableTarget(name: "http-bench-server", dependencies: ["HTTP"]),

        // Shared by the test targets only: throwaway PostgreSQL clusters and databases,
        // service processes on loopback, a raw HTTP/SSE client.
        .target(name: "TestSupport", dependencies: ["Postgres"], path: "Tests/TestSupport"),

        .testTarget(name: "ProjectTests"),
        .testTarget(name: "ModelsTests", dependencies: ["Models"]),
        .testTarget(name: "PostgresTests", dependencies: ["TestSupport", "Postgres"]),
        .testTarget(name: "HTTPTests", dependencies: ["TestSupport", "HTTP"]),
        .testTarget(name: "ChatStoreTests", dependencies: ["TestSupport", "ChatStore", "Postgres", "Models"]),
        .testTarget(name: "ChatAPITests", dependencies: ["TestSupport", "ChatAPI", "ChatStore", "Postgres", "Models", "HTTP"]),
        .testTarget(name: "ChatGatewayTests", dependencies: ["TestSupport", "ChatGateway", "ChatStore", "Postgres", "Models", "HTTP"]),
    ]
)
