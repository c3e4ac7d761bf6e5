import Foundation
import DNSWire
import MailCore

/// The SRV names of RFC 6186 §3 and RFC 8314 §5.1, with the service and security each implies.
public enum ClientSRV {
    public static let names: [(label: String, service: ClientService, security: ClientSecurity)] = [
        // RFC 8314 §5.1: _submissions and _imaps/_pop3s are the implicit-TLS services.
        ("_submissions._tcp", .smtp, .ssl),
        ("_submission._tcp", .smtp, .starttls),
        ("_imaps._tcp", .imap, .ssl),
        ("_imap._tcp", .imap, .starttls),
        ("_pop3s._tcp", .pop3, .ssl),
        ("_pop3._tcp", .pop3, .starttls),
    ]

    /// Candidates from one SRV answer. RFC 6186 §3.1 / RFC 2782: a target of "." says the
    /// service is decidedly not available; such records give no candidate.
    public static func candidates(_ records: [SRVRecord], name: String, service: ClientService, security: ClientSecurity,
                                  email: String, evidenceID: String?) -> [ClientCandidate] {
        records.filter { !$0.target.labels.isEmpty && $0.port != 0 }
            .sorted { ($0.priority, UInt16.max - $0.weight) < ($1.priority, UInt16.max - $1.weight) }
            .map { r in
                ClientCandidate(service: service, host: r.target.description, port: Int(r.port), security: security,
                                username: email,
                                sources: [ClientSource(kind: .srv, detail: "\(name) SRV \(r.priority) \(r.weight) \(r.port) \(r.target.description)",
                                                       evidenceID: evidenceID)],
                                priority: Int(r.priority))
            }
    }
}

public enum ClientConfigParseError: Error, Sendable, Hashable, CustomStringConvertible {
    case xml(XMLReadError)
    case unexpectedRoot(String)
    case noServers
    /// Autodiscover answered with an error element (code and message).
    case autodiscoverError(String)

    public var description: String {
        switch self {
        case .xml(let e): return e.description
        case .unexpectedRoot(let r): return "unexpected root element <\(r)>"
        case .noServers: return "no IMAP, POP3 or SMTP server in the document"
        case .autodiscoverError(let m): return "Autodiscover error: \(m)"
        }
    }
}

/// Mozilla's autoconfig format (`clientConfig` version 1.1, as documented on the Thunderbird
/// wiki "Autoconfiguration/ConfigFileFormat"): `incomingServer type="imap|pop3"` and
/// `outgoingServer type="smtp"` with hostname, port, socketType (SSL, STARTTLS, plain) and
/// username with `%EMAILADDRESS%` / `%EMAILLOCALPART%` / `%EMAILDOMAIN%` placeholders.
public enum AutoconfigParser {
    public static func parse(_ bytes: [UInt8], email: String, source: ClientSource) throws(ClientConfigParseError) -> [ClientCandidate] {
        let root: XMLElement
        do { root = try MiniXML.parse(bytes) } catch { throw .xml(error) }
        guard root.name == "clientConfig" else { throw .unexpectedRoot(root.name) }
        var out: [ClientCandidate] = []
        for provider in root.all("emailProvider") {
            for server in provider.all("incomingServer") + provider.all("outgoingServer") {
                let type = (server.attributes["type"] ?? "").lowercased()
                let service: ClientService
                switch type {
                case "imap": service = .imap
                case "pop3": service = .pop3
                case "smtp": service = .smtp
                default: continue   // exchange, ews, jmap …: not a service mxray confirms
                }
                guard let host = server.value("hostname"), let portText = server.value("port"),
                      let port = Int(portText), (1...65535).contains(port) else { continue }
                let security: ClientSecurity
                switch (server.value("socketType") ?? "plain").uppercased() {
                case "SSL", "TLS": security = .ssl
                case "STARTTLS": security = .starttls
                default: security = .plain
                }
                let user = server.value("username").map { expand($0, email: email) } ?? email
                out.append(ClientCandidate(service: service, host: expand(host, email: email), port: port,
                                           security: security, username: user, sources: [source]))
            }
        }
        guard !out.isEmpty else { throw .noServers }
        return out
    }

    static func expand(_ text: String, email: String) -> String {
        let at = email.lastIndex(of: "@")
        let local = at.map { String(email[..<$0]) } ?? email
        let domain = at.map { String(email[email.index(after: $0)...]) } ?? ""
        return text.replacingOccurrences(of: "%EMAILADDRESS%", with: email)
            .replacingOccurrences(of: "%EMAILLOCALPART%", with: local)
            .replacingOccurrences(of: "%EMAILDOMAIN%", with: domain)
    }
}

/// Microsoft Autodiscover, plain-old-XML form ([MS-OXDSCLI] §2.2.4): the request names the
/// address and the response schema; the response lists `Protocol` elements with Type (IMAP,
/// POP3, SMTP), Server, Port, SSL (on/off) and Encryption (None, SSL, TLS, Auto).
public enum AutodiscoverParser {
    public static let responseSchema = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"

    public static func requestBody(email: String) -> [UInt8] {
        let escaped = email.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return Array("""
        <?xml version="1.0" encoding="utf-8"?>
        <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
          <Request>
            <EMailAddress>\(escaped)</EMailAddress>
            <AcceptableResponseSchema>\(responseSchema)</AcceptableResponseSchema>
          </Request>
        </Autodiscover>

        """.utf8)
    }

    /// The outcome of one response: candidates, or a redirect to follow (address or URL).
    public enum Outcome: Sendable, Hashable {
        case settings([ClientCandidate])
        case redirectAddress(String)
        case redirectURL(String)
    }

    public static func parse(_ bytes: [UInt8], email: String, source: ClientSource) throws(ClientConfigParseError) -> Outcome {
        let root: XMLElement
        do { root = try MiniXML.parse(bytes) } catch { throw .xml(error) }
        guard root.name == "Autodiscover" else { throw .unexpectedRoot(root.name) }
        guard let response = root.child("Response") else { throw .noServers }
        if let error = response.child("Error") {
            throw .autodiscoverError([error.value("ErrorCode"), error.value("Message")].compactMap { $0 }.joined(separator: " "))
        }
        guard let account = response.child("Account") else { throw .noServers }
        switch (account.value("Action") ?? "settings").lowercased() {
        case "redirectaddr":
            if let a = account.value("RedirectAddr") { return .redirectAddress(a) }
        case "redirecturl":
            if let u = account.value("RedirectUrl") { return .redirectURL(u) }
        default: break
        }
        var out: [ClientCandidate] = []
        for p in account.all("Protocol") {
            let service: ClientService
            switch (p.value("Type") ?? "").uppercased() {
            case "IMAP": service = .imap
            case "POP3": service = .pop3
            case "SMTP": service = .smtp
            default: continue   // EXCH, EXPR, WEB: Exchange/Outlook-only protocols
            }
            guard let host = p.value("Server"), let port = p.value("Port").flatMap({ Int($0) }), (1...65535).contains(port) else { continue }
            let ssl = (p.value("SSL") ?? "on").lowercased() != "off"
            let security: ClientSecurity
            switch (p.value("Encryption") ?? "").uppercased() {
            case "SSL": security = .ssl
            case "TLS": security = .starttls
            case "NONE": security = .plain
            default:
                // SSL=on without Encryption: the port tells which kind (RFC 8314 §3 ports).
                security = !ssl ? .plain : ([465, 993, 995].contains(port) ? .ssl : .starttls)
            }
            out.append(ClientCandidate(service: service, host: host, port: port, security: security,
                                       username: p.value("LoginName") ?? email, sources: [source]))
        }
        guard !out.isEmpty else { throw .noServers }
        return .settings(out)
    }
}
