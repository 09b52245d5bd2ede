import PolicyModel

/// Renders an environment's egress policy for Stripe's Smokescreen proxy.
enum SmokescreenExport {
    static func acl(_ bundle: PublishedBundle) -> String {
        bundle.policy.egress.smokescreenACL(environment: bundle.environment)
    }

    static func config(_ bundle: PublishedBundle) -> String {
        bundle.policy.egress.smokescreenConfig()
    }
}
