import Synchronization

/// Request counters and latency histograms, rendered in the Prometheus text format (version 0.0.4).
final class Metrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    private struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int

        /// Hashes the status and the lengths only: there are few keys, the strings are compared on equal hashes
        /// anyway, and hashing each route's bytes was a visible share of a request's cost.
        func hash(into hasher: inout Hasher) {
            hasher.combine(status)
            hasher.combine(route.utf8.count)
            hasher.combine(method.utf8.count)
        }
    }

    private struct Histogram {
        var bucketCounts = [UInt64](repeating: 0, count: Metrics.latencyBuckets.count)
        var count: UInt64 = 0
        var sum: Double = 0

        mutating func merge(_ other: Histogram) {
            for index in bucketCounts.indices {
                bucketCounts[index] += other.bucketCounts[index]
            }
            count += other.count
            sum += other.sum
        }
    }

    /// One histogram per route, method and status, and per event loop; its count is also the request counter.
    /// Keeping both in one entry costs each request a single dictionary lookup. The loops' copies and the per-route
    /// histograms are merged when rendered.
    private let series: PerLoop<[RequestKey: Histogram]>

    init(loopCount: Int = 1) {
        series = PerLoop(loopCount: loopCount, initial: [:])
    }

    func record(route: String, method: String, status: Int, seconds: Double, loop: Int) {
        series.withLock(loop: loop) { series in
            // Updated in place: copying the histogram out and back would allocate its buckets on every request.
            Metrics.observe(seconds, in: &series[RequestKey(route: route, method: method, status: status), default: Histogram()])
        }
    }

    private static func observe(_ seconds: Double, in histogram: inout Histogram) {
        if let bucket = latencyBuckets.firstIndex(where: { seconds <= $0 }) {
            histogram.bucketCounts[bucket] += 1
        }
        histogram.count += 1
        histogram.sum += seconds
    }

    /// Renders the exposition text; gauges kept elsewhere are passed in at render time.
    func render(openConnections: Int, parkedPolls: Int, bundles: [PublishedBundle],
                agents: [String: [AgentState: Int]]) -> String {
        var series: [RequestKey: Histogram] = [:]
        self.series.forEach { loopSeries in
            for (key, histogram) in loopSeries {
                series[key, default: Histogram()].merge(histogram)
            }
        }
        var latency: [String: Histogram] = [:]
        for (key, histogram) in series {
            latency[key.route, default: Histogram()].merge(histogram)
        }
        var text = ""

        text += "# HELP perimeter_http_requests_total HTTP requests answered, by route template, method and status.\n"
        text += "# TYPE perimeter_http_requests_total counter\n"
        for (key, histogram) in series.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            text += "perimeter_http_requests_total{route=\"\(escape(key.route))\",method=\"\(escape(key.method))\","
                + "status=\"\(key.status)\"} \(histogram.count)\n"
        }

        text += "# HELP perimeter_http_request_duration_seconds Time from a parsed request to its response, by route.\n"
        text += "# TYPE perimeter_http_request_duration_seconds histogram\n"
        for (route, histogram) in latency.sorted(by: { $0.key < $1.key }) {
            var cumulative: UInt64 = 0
            for (index, bound) in Metrics.latencyBuckets.enumerated() {
                cumulative += histogram.bucketCounts[index]
                text += "perimeter_http_request_duration_seconds_bucket{route=\"\(escape(route))\",le=\"\(bound)\"} \(cumulative)\n"
            }
            text += "perimeter_http_request_duration_seconds_bucket{route=\"\(escape(route))\",le=\"+Inf\"} \(histogram.count)\n"
            text += "perimeter_http_request_duration_seconds_sum{route=\"\(escape(route))\"} \(histogram.sum)\n"
            text += "perimeter_http_request_duration_seconds_count{route=\"\(escape(route))\"} \(histogram.count)\n"
        }

        text += "# HELP perimeter_http_open_connections Client connections open now.\n"
        text += "# TYPE perimeter_http_open_connections gauge\n"
        text += "perimeter_http_open_connections \(openConnections)\n"
        text += "# HELP perimeter_parked_polls Bundle polls parked until the next version or their deadline.\n"
        text += "# TYPE perimeter_parked_polls gauge\n"
        text += "perimeter_parked_polls \(parkedPolls)\n"
        text += "# HELP perimeter_bundle_version Current bundle version of each environment.\n"
        text += "# TYPE perimeter_bundle_version gauge\n"
        for bundle in bundles {
            text += "perimeter_bundle_version{environment=\"\(escape(bundle.environment))\"} \(bundle.version)\n"
        }
        text += "# HELP perimeter_agents Pollers by environment and state (current, lagging, failing, stale).\n"
        text += "# TYPE perimeter_agents gauge\n"
        for environment in agents.keys.sorted() {
            for state in AgentState.allCases {
                let count = agents[environment]?[state] ?? 0
                text += "perimeter_agents{environment=\"\(escape(environment))\",state=\"\(state.rawValue)\"} \(count)\n"
            }
        }
        return text
    }

    /// Escapes a label value as the text format requires: backslash, double quote and line feed.
    private func escape(_ value: String) -> String {
        var result = ""
        for character in value {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }
}
