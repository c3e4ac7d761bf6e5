import Hummingbird
import NIOCore

/// The request context of every route of `mxray serve`. The auth layer (Auth/) sets `identity`
/// once it has checked a bearer token or a session; handlers read it. The peer's address is
/// kept for login throttling.
public struct MXRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who made the request (a token name or a UI user), nil when not authenticated.
    public var identity: String?
    /// The TCP peer (a reverse proxy in front of mxray is one address for all its clients).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
        self.remoteAddress = source.channel.remoteAddress
    }
}
