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

    /// Services that start without a profile (`docker compose up`).
    private var defaultServices: [String] {
        (compose["services"]?.keys ?? []).filter { compose["services"]?[$0]?["profiles"] == nil }.sorted()
    }

    private func services(inProfile profile: String) -> [String] {
        (compose["services"]?.keys ?? []).filter { compose["services"]?[$0]?["profiles"]?.strings?.contains(profile) == true }.sorted()
    }

    @Test func declaresPostgresMigrateApiAndGateway() throws {
        #expect(defaultServices == ["api", "gateway", "migrate", "postgres"])
    }

    @Test("profile ha: etcd, three Patroni nodes, and migrate, api and gateway on them")
    func haProfileDeclaresTheCluster() throws {
        #expect(services(inProfile: "ha") == ["api-ha", "etcd", "gateway-ha", "migrate-ha", "pg1", "pg2", "pg3"])
        for node in ["pg1", "pg2", "pg3"] {
            let definition = try service(node)
            #expect(definition["build"]?["dockerfile"]?.string == "deploy/patroni/Dockerfile")
            let environment = try environment(of: node)
            #expect(environment["PATRONI_NAME"] == node)
            #expect(environment["PATRONI_POSTGRESQL_CONNECT_ADDRESS"] == "\(node):5432")
            #expect(try dependencyCondition(of: "migrate-ha", on: node) == "service_healthy")
            let mount = try #require(definition["volumes"]?.strings?.first)
            #expect(compose["volumes"]?.keys.contains(String(mount.prefix { $0 != ":" })) == true)
        }
        #expect(try service("migrate-ha")["command"]?.items == [.scalar("chatctl"), .scalar("migrate")])
        for name in ["api-ha", "gateway-ha"] {
            #expect(try dependencyCondition(of: name, on: "migrate-ha") == "service_completed_successfully")
            #expect(try service(name)["image"] == (try service("migrate"))["image"])
        }
        #expect(try service("api-ha")["ports"]?.strings == ["8090:8090"])
        #expect(try service("gateway-ha")["ports"]?.strings == ["8091:8091"])
    }

    @Test("profile ha: the services follow the leader (multi-host, read-write) and read from standbys")
    func haServicesUseMultiHostURLs() throws {
        for name in ["migrate-ha", "api-ha", "gateway-ha"] {
            let url = try #require(try environment(of: name)["DATABASE_URL"])
            #expect(url.contains("@pg1:5432,pg2:5432,pg3:5432/chat"), "\(name): \(url)")
            #expect(url.hasSuffix("?target_session_attrs=read-write"), "\(name): \(url)")
        }
        let readURL = try #require(try environment(of: "api-ha")["DATABASE_READ_URL"])
        #expect(readURL.hasSuffix("?target_session_attrs=prefer-standby"))
    }

    @Test("deploy/patroni/patroni.yml: synchronous mode, pg_rewind, failover at once, etcd of the compose file")
    func patroniSettings() throws {
        let patroni = try YAMLSubsetReader.parse(ProjectFile.text("deploy/patroni/patroni.yml"))
        let dcs = try #require(patroni["bootstrap"]?["dcs"])
        #expect(dcs["synchronous_mode"]?.string == "true")
        #expect(dcs["synchronous_node_count"]?.string == "1")
        #expect(dcs["primary_start_timeout"]?.string == "0")
        #expect(dcs["postgresql"]?["use_pg_rewind"]?.string == "true")
        #expect(dcs["postgresql"]?["parameters"]?["wal_log_hints"]?.string == "on")
        #expect(patroni["etcd3"]?["hosts"]?.string == "etcd:2379")
        #expect(try service("etcd")["command"]?.strings?.contains("http://etcd:2379") == true)
        #expect(ProjectFile.isExecutable("deploy/patroni/post-bootstrap.sh"))
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
