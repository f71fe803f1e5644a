import Synchronization
import Testing

@testable import HTTP

@Suite struct MetricsTests {
    @Test func rendersCountersAndGaugesInTheTextFormat() {
        let metrics = MetricsRegistry()
        metrics.counter("http_requests_total", help: "Requests.", labels: ["route": "/b", "status": "200"]).increment(by: 3)
        metrics.counter("http_requests_total", help: "Requests.", labels: ["status": "404", "route": "/a"]).increment()
        metrics.gauge("db_pool_open", help: "Open connections.").set(4)
        metrics.gauge("lag_seconds", help: "Lag.").set(0.25)
        #expect(metrics.render() == """
            # HELP db_pool_open Open connections.
            # TYPE db_pool_open gauge
            db_pool_open 4
            # HELP http_requests_total Requests.
            # TYPE http_requests_total counter
            http_requests_total{route="/a",status="404"} 1
            http_requests_total{route="/b",status="200"} 3
            # HELP lag_seconds Lag.
            # TYPE lag_seconds gauge
            lag_seconds 0.25

            """)
    }

    @Test func rendersHistogramsWithCumulativeBucketsSumAndCount() {
        let metrics = MetricsRegistry()
        let histogram = metrics.histogram("latency_seconds", help: "Latency.", labels: ["route": "/x"], buckets: [0.1, 0.5, 1])
        for value in [0.05, 0.1, 0.3, 2.0] { histogram.observe(value) }
        #expect(metrics.render() == """
            # HELP latency_seconds Latency.
            # TYPE latency_seconds histogram
            latency_seconds_bucket{route="/x",le="0.1"} 2
            latency_seconds_bucket{route="/x",le="0.5"} 3
            latency_seconds_bucket{route="/x",le="1"} 3
            latency_seconds_bucket{route="/x",le="+Inf"} 4
            latency_seconds_sum{route="/x"} 2.45
            latency_seconds_count{route="/x"} 4

            """)
    }

    @Test func histogramWithoutLabelsAndDurations() {
        let metrics = MetricsRegistry()
        metrics.histogram("wait_seconds", help: "Wait.", buckets: [1]).observe(Duration.milliseconds(1500))
        #expect(metrics.render().contains("wait_seconds_bucket{le=\"1\"} 0\nwait_seconds_bucket{le=\"+Inf\"} 1\nwait_seconds_sum 1.5\n"))
    }

    @Test func escapesLabelValuesAndHelp() {
        let metrics = MetricsRegistry()
        metrics.counter("odd_total", help: "Back\\slash and\nnewline \"quoted\".", labels: ["v": "a\"b\\c\nd"]).increment()
        #expect(metrics.render() == """
            # HELP odd_total Back\\\\slash and\\nnewline "quoted".
            # TYPE odd_total counter
            odd_total{v="a\\"b\\\\c\\nd"} 1

            """)
    }

    @Test func sameNameAndLabelsIsTheSameInstrument() {
        let metrics = MetricsRegistry()
        let first = metrics.counter("c_total", help: "C.", labels: ["a": "1", "b": "2"])
        let second = metrics.counter("c_total", help: "ignored", labels: ["b": "2", "a": "1"])
        #expect(first === second)
        #expect(first !== metrics.counter("c_total", help: "C.", labels: ["a": "1"]))
        #expect(metrics.gauge("g", help: "G.") === metrics.gauge("g", help: "G."))
    }

    @Test func gaugesGoUpAndDown() {
        let gauge = MetricsRegistry().gauge("open_streams", help: "Open.")
        gauge.add(3)
        gauge.add(-1.5)
        #expect(gauge.value == 1.5)
        gauge.set(-2)
        #expect(gauge.value == -2)
    }

    @Test func countersIgnoreNegativeIncrements() {
        let counter = MetricsRegistry().counter("n_total", help: "N.")
        counter.increment(by: -5)
        counter.increment()
        #expect(counter.value == 1)
    }

    @Test func formatsSpecialNumbers() {
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(PrometheusText.format(1e20) == "1e+20")
        #expect(PrometheusText.format(0.0025) == "0.0025")
        #expect(PrometheusText.format(-3) == "-3")
    }

    @Test func collectorsRunBeforeEachRender() {
        let metrics = MetricsRegistry()
        let pool = metrics.gauge("pool_in_use", help: "In use.")
        let calls = Counter()
        metrics.registerCollector {
            calls.increment()
            pool.set(Double(calls.value * 10))
        }
        #expect(metrics.render().contains("pool_in_use 10\n"))
        #expect(metrics.render().contains("pool_in_use 20\n"))
    }

    @Test func concurrentUpdatesAreNotLost() async {
        let metrics = MetricsRegistry()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<10_000 {
                        metrics.counter("hits_total", help: "Hits.").increment()
                        metrics.gauge("level", help: "Level.").add(1)
                        metrics.histogram("obs", help: "Obs.", buckets: [1]).observe(0.5)
                    }
                }
            }
        }
        let text = metrics.render()
        #expect(text.contains("hits_total 80000\n"))
        #expect(text.contains("level 80000\n"))
        #expect(text.contains("obs_count 80000\n"))
        #expect(text.contains("obs_bucket{le=\"1\"} 80000\n"))
    }
}

@Suite struct MetricsRegistrationTests {
    @Test func oneNameUsedForTwoKindsStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let metrics = MetricsRegistry()
            _ = metrics.counter("things", help: "Things.")
            _ = metrics.gauge("things", help: "Things.")
        }
    }

    @Test(arguments: ["1st", "has-dash", "", "spa ce"])
    func invalidMetricNamesStopTheProcess(name: String) async {
        await #expect(processExitsWith: .failure) { [name] in
            _ = MetricsRegistry().counter(name, help: "x")
        }
    }

    @Test func reservedLabelNamesStopTheProcess() async {
        await #expect(processExitsWith: .failure) {
            _ = MetricsRegistry().histogram("h", help: "x", labels: ["le": "1"])
        }
        await #expect(processExitsWith: .failure) {
            _ = MetricsRegistry().counter("c", help: "x", labels: ["__name": "1"])
        }
    }
}
