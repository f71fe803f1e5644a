import Testing

/// `docker-compose.yml` cannot be run here (no Docker engine), so its structure is checked by
/// reading it: the services, their order of start, ports, health check and configuration.
@Suite("docker-compose.yml")
struct DockerComposeTests {
    let compose: YAMLValue

    init() throws {
        compose = try YAMLSubsetReader.parse(ProjectFile.text("docker-compose.yml"))
    }

    private func service(_ name: String) throws -> YAMLValue {
        try #require(compose["services"]?[name], "service \(name) is missing")
    }

    /// A service's variables, whether written as a mapping or as `KEY=value` items.
    private func environment(of name: String) throws -> [String: String] {
        let value = try #require(try service(name)["environment"], "\(name) has no environment")
        if let items = value.items {
            return Dictionary(items.compactMap { $0.string }.map { item in
                let parts = item.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }, uniquingKeysWith: { _, last in last })
        }
        guard case .mapping(let pairs) = value else { return [:] }
        return Dictionary(pairs.map { ($0.key, $0.value.string ?? "") }, uniquingKeysWith: { _, last in last })
    }

    private func dependencyCondition(of name: String, on dependency: String) throws -> String? {
        try service(name)["depends_on"]?[dependency]?["condition"]?.string
    }

    @Test func declaresPostgresMigrateApiAndGateway() throws {
        #expect(compose["services"]?.keys.sorted() == ["api", "gateway", "migrate", "postgres"])
    }

    @Test func postgresIsTheOfficialImageWithANamedVolumeAndAHealthCheck() throws {
        let postgres = try service("postgres")
        #expect(postgres["image"]?.string?.hasPrefix("postgres:15") == true)

        let mounts = try #require(postgres["volumes"]?.strings)
        let dataMount = try #require(mounts.first { $0.hasSuffix(":/var/lib/postgresql/data") })
        let volumeName = String(dataMount.prefix { $0 != ":" })
        #expect(compose["volumes"]?.keys.contains(volumeName) == true, "volume \(volumeName) is not declared")

        let check = try #require(postgres["healthcheck"]?["test"]?.strings)
        #expect(["CMD", "CMD-SHELL"].contains(check.first ?? ""))
        #expect(check.joined(separator: " ").contains("pg_isready"))
    }

    @Test func migrateRunsOnceAfterPostgresIsHealthy() throws {
        let migrate = try service("migrate")
        #expect(migrate["command"]?.items == [.scalar("chatctl"), .scalar("migrate")])
        #expect(try dependencyCondition(of: "migrate", on: "postgres") == "service_healthy")
        #expect(migrate["restart"]?.string == "no")
    }

    @Test(arguments: ["api", "gateway"])
    func servicesStartOnlyAfterTheMigrationSucceeded(name: String) throws {
        #expect(try dependencyCondition(of: name, on: "migrate") == "service_completed_successfully")
    }

    @Test(arguments: [("api", "chat-api", "API_PORT", "8080"), ("gateway", "chat-gateway", "GATEWAY_PORT", "8081")])
    func servicesListenOnAllInterfacesAtThePortTheyPublish(name: String, binary: String, portVariable: String, port: String) throws {
        let definition = try service(name)
        let environment = try environment(of: name)
        #expect(definition["command"]?.items?.first?.string == binary)
        #expect(environment["BIND_HOST"] == "0.0.0.0")
        #expect(environment[portVariable] == port)
        #expect(definition["ports"]?.strings == ["\(port):\(port)"])
    }

    @Test(arguments: [
        ("migrate", ["DATABASE_URL"]),
        ("api", ["DATABASE_URL", "CHAT_SERVICE_KEY", "CHAT_ATTACHMENT_SECRET", "CHAT_CORS_ORIGINS", "BIND_HOST", "API_PORT"]),
        ("gateway", ["DATABASE_URL", "CHAT_CORS_ORIGINS", "BIND_HOST", "GATEWAY_PORT"]),
    ])
    func everyServiceGetsTheVariablesItNeeds(name: String, variables: [String]) throws {
        let environment = try environment(of: name)
        for variable in variables {
            #expect(!(environment[variable] ?? "").isEmpty, "\(name) lacks \(variable)")
        }
    }

    @Test(arguments: ["migrate", "api", "gateway"])
    func databaseURLPointsAtTheComposeDatabase(name: String) throws {
        let database = try environment(of: "postgres")
        let user = try #require(database["POSTGRES_USER"])
        let dbname = try #require(database["POSTGRES_DB"])
        let url = try #require(try environment(of: name)["DATABASE_URL"])
        #expect(url.hasPrefix("postgres://\(user):"))
        #expect(url.hasSuffix("@postgres:5432/\(dbname)"))
    }

    @Test(arguments: ["migrate", "api", "gateway"])
    func servicesShareOneImageBuiltFromTheDockerfile(name: String) throws {
        let definition = try service(name)
        #expect(definition["build"]?.string == ".")
        #expect(definition["image"] == (try service("migrate"))["image"])
    }

    @Test func dockerfileBuildsWithSwiftAndShipsBinariesMigrationsAndResources() throws {
        let dockerfile = try ProjectFile.text("Dockerfile")
        let stages = dockerfile.split(separator: "\n").filter { $0.hasPrefix("FROM ") }
        #expect(stages.count == 2)
        #expect(dockerfile.contains("swift:6."))
        #expect(dockerfile.contains("libpq-dev"))
        #expect(dockerfile.contains("libpq5"))
        #expect(dockerfile.contains("for product in chat-api chat-gateway chatctl; do"))
        #expect(dockerfile.contains(#"--product "$product""#))
        #expect(dockerfile.contains(#"cp "$bin/chat-api" "$bin/chat-gateway" "$bin/chatctl" /staging/"#))
        #expect(dockerfile.contains("COPY sql /app/sql"))
        #expect(dockerfile.contains(".resources"))
    }
}
