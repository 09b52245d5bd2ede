import HTTP
import PolicyModel

extension ControlPlaneResponder {
    /// Decides whether the app may fetch a destination, without resolving or connecting to anything.
    func decideEgress(in environment: String, request: HTTPRequest) throws(Problem) -> HTTPResponse {
        throw Problem(status: 501, slug: "not-implemented", title: "Not implemented", detail: "egress decisions come next")
    }
}
