/// The content-filter test strings (their text is built by the probes).
public enum FilterTest: String, Sendable, Codable, CaseIterable {
    case gtube, eicar

    public var label: String { self == .gtube ? "GTUBE" : "EICAR" }
    /// What kind of filter the test string exercises.
    public var filterKind: String { self == .gtube ? "spam filter" : "anti-virus scanner" }
}

/// What a gateway did with a filter test message.
public enum FilterVerdict: String, Sendable, Codable {
    /// Refused after the message was sent (end of DATA): the filter ran in the SMTP session.
    case rejected
    /// A temporary refusal after the message (4xx): the filter deferred it, or failed.
    case deferred
    /// Accepted and filed into a junk/quarantine folder.
    case quarantined
    /// Accepted and delivered to the inbox: the filter let it through.
    case delivered
    /// Accepted; where it went was not looked at (no round trip) or it never showed up.
    case acceptedUnseen
    /// The message never reached the filter (refused at connect, MAIL, RCPT; a failure).
    case notTested
}

/// Classifies a filter test from the transaction and, when a round trip watched, the placement.
public enum FilterClassifier {
    public static func classify(_ send: SendSummary, placement: Placement?) -> FilterVerdict {
        switch send.ending {
        case "accepted":
            switch placement {
            case .inbox?: return .delivered
            case .junk?: return .quarantined
            case .notSeen?, nil: return .acceptedUnseen
            }
        case "refused" where send.failedStage == "data" && send.dataReply != nil:
            // RFC 5321 §4.1.1.4: the reply after "." is the server's verdict on the content.
            return send.dataReply!.isTransientFailure ? .deferred : .rejected
        default:
            return .notTested
        }
    }
}
