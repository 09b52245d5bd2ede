import Foundation

/// The numbers of one fanout run, and the text that presents them.
struct FanoutReport {
    let pollCount: Int
    let parkedPolls: Int
    let openConnections: Int
    let parkTime: Duration
    let startKibibytes: Int
    let parkedKibibytes: Int
    let bundleBefore: (etag: String, version: Int, byteCount: Int)
    let bundleAfter: (etag: String, version: Int, byteCount: Int)
    let change: FanoutClient.Change
    let pollers: [Poller]
    let notifyTimeoutSeconds: Int

    /// Per-poller delays from the change's response, in milliseconds, of the pollers that received a 200
    /// with the new ETag after the change went out.
    var delays: [Double] {
        pollers.compactMap { poller in
            guard !poller.endedBeforeChange, case let .answered(200, etag, at) = poller.outcome,
                  etag == bundleAfter.etag else { return nil }
            return (at - change.respondedAt).milliseconds
        }
        .sorted()
    }

    /// Counts of every outcome other than a 200 with the new ETag, keyed by a description.
    var errors: [String: Int] {
        var counts: [String: Int] = [:]
        for poller in pollers {
            let key: String?
            switch poller.outcome {
            case .waiting:
                key = "no response within \(notifyTimeoutSeconds) s of the change"
            case .closedWithoutResponse:
                key = "connection closed without a response"
            case let .failed(message):
                key = message
            case let .answered(status, etag, _):
                if status != 200 {
                    key = "status \(status)"
                } else if etag != bundleAfter.etag {
                    key = "200 with another ETag (\(etag ?? "none"))"
                } else {
                    key = nil
                }
            }
            if let key {
                let prefix = poller.endedBeforeChange ? "before the change: " : ""
                counts[prefix + key, default: 0] += 1
            }
        }
        return counts
    }

    /// Whether every poller received the new version after the change and the change itself succeeded.
    var isComplete: Bool {
        change.status == 200 && bundleAfter.version == bundleBefore.version + 1 && delays.count == pollCount
    }

    func print() {
        let delays = delays
        let changeTime = (change.respondedAt - change.sentAt).milliseconds
        Swift.print("polls parked: \(parkedPolls) of \(pollCount) (perimeter_parked_polls before the change; "
            + "perimeter_http_open_connections \(openConnections)), "
            + "opened in \(format(parkTime.milliseconds / 1_000)) s")
        Swift.print("perimeterd resident memory (VmRSS): \(megabytes(startKibibytes)) MB after start, "
            + "\(megabytes(parkedKibibytes)) MB with the polls parked")
        Swift.print("change: PUT ip-allowlist returned \(change.status) after \(format(changeTime)) ms; bundle version "
            + "\(bundleBefore.version) -> \(bundleAfter.version), \(bundleAfter.byteCount) bytes")
        Swift.print("CPU time from sending the change until the last response: perimeterd "
            + "\(format(change.serverCPUTime.milliseconds)) ms (10 ms resolution), this client "
            + "\(format(change.clientCPUTime.milliseconds)) ms")
        Swift.print("pollers that received a 200 with the new ETag: \(delays.count) of \(pollCount)")

        let errors = errors
        if errors.isEmpty {
            Swift.print("errors: none")
        } else {
            Swift.print("errors:")
            for (description, count) in errors.sorted(by: { $0.value > $1.value }) {
                Swift.print("  \(count) \(description)")
            }
        }
        if change.status != 200 {
            Swift.print("change response body: \(String(decoding: change.body.prefix(500), as: UTF8.self))")
        }

        guard let last = delays.last, let first = delays.first else {
            Swift.print("time from the change's response until all pollers had the new version: not reached")
            return
        }
        let allLabel = delays.count == pollCount ? "" : " (only \(delays.count) of \(pollCount) pollers)"
        Swift.print("time from the change's response until all pollers had the new version: \(format(last)) ms"
            + allLabel)
        if last <= 0 {
            Swift.print("  (not above zero: the server wrote the new version to every poller before the change's own "
                + "response arrived)")
        }
        Swift.print("per-poller delay after the change's response: median \(format(percentile(0.5, of: delays))) ms, "
            + "p99 \(format(percentile(0.99, of: delays))) ms, first \(format(first)) ms, last \(format(last)) ms")
        Swift.print("per-poller delay after sending the change: "
            + "median \(format(percentile(0.5, of: delays) + changeTime)) ms, "
            + "p99 \(format(percentile(0.99, of: delays) + changeTime)) ms, "
            + "first \(format(first + changeTime)) ms, last \(format(last + changeTime)) ms")
    }

    /// Returns the nearest-rank percentile of sorted `values`.
    private func percentile(_ fraction: Double, of values: [Double]) -> Double {
        let rank = Int((fraction * Double(values.count)).rounded(.up))
        return values[max(0, min(values.count - 1, rank - 1))]
    }

    private func format(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    /// KiB, as /proc reports them, converted to megabytes of 10^6 bytes.
    private func megabytes(_ kibibytes: Int) -> String {
        String(format: "%.1f", Double(kibibytes) * 1_024 / 1e6)
    }
}
