/// The chain validation status of RFC 8617 §4.4 (the `cv=` values), also the result a receiver
/// reports as `arc=` in Authentication-Results.
public enum ARCChainStatus: String, Sendable, Hashable, Codable { case none, pass, fail }

/// The outcome of validating a message's ARC chain (RFC 8617 §5.2).
public struct ARCValidation: Sendable, Hashable, Codable {
    /// What one ARC set (RFC 8617 §4.1: AAR + AMS + AS of one instance) looked like.
    public struct SetResult: Sendable, Hashable, Codable {
        public var instance: Int
        /// The authserv-id of the ARC-Authentication-Results (who recorded the results).
        public var authservID: String?
        /// The ARC-Authentication-Results of this instance, when its payload parses (RFC 8601).
        public var authenticationResults: AuthenticationResults?
        /// `d=` and `s=` of the ARC-Seal and of the ARC-Message-Signature.
        public var sealDomain: String?
        public var sealSelector: String?
        public var messageSignatureDomain: String?
        public var messageSignatureSelector: String?
        /// The `cv=` this sealer stated.
        public var statedCV: String?
        /// Our verification of the seal and of the message signature; nil when not checked
        /// (validation stopped earlier, or RFC 8617 §5.2 does not require it).
        public var sealResult: DKIMResult?
        public var sealReason: String?
        public var messageSignatureResult: DKIMResult?
        public var messageSignatureReason: String?
        public var keySize: Int?
    }

    public var status: ARCChainStatus
    /// Why the chain fails, one line, with the RFC rule.
    public var reason: String?
    /// The instance that made it fail, when one did.
    public var failedInstance: Int?
    /// Every instance found, 1 first.
    public var sets: [SetResult]
    /// RFC 8617 §5.2 step 5 (optional): the lowest instance whose AMS still validates, going
    /// down from the newest; nil when not determined.
    public var oldestPass: Int?
    /// True when a DNS failure (not a bad signature) decided the outcome; a retry may differ.
    public var temporary: Bool

    public init(status: ARCChainStatus, reason: String? = nil, failedInstance: Int? = nil, sets: [SetResult] = [],
                oldestPass: Int? = nil, temporary: Bool = false) {
        self.status = status; self.reason = reason; self.failedInstance = failedInstance; self.sets = sets
        self.oldestPass = oldestPass; self.temporary = temporary
    }
}
