import ArgumentParser
import Diagnosis
import DNSWire
import Foundation
import MailCore
import Reporting
#if canImport(Glibc)
import Glibc
#endif

/// `mxray locate user@domain`: the IMAP/POP3/SMTP settings a mail client needs, found the way
/// clients find them, each confirmed by probing and, with a password, by logging in.
struct LocateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locate",
        abstract: "Find the mail server settings (host, port, security) a client needs for an address.",
        discussion: """
        Looks where mail clients look: RFC 6186/8314 SRV records (_submissions, _submission,
        _imaps, _imap, _pop3s, _pop3), Mozilla autoconfig (https://autoconfig.DOMAIN/mail/
        config-v1.1.xml and https://DOMAIN/.well-known/autoconfig/...), Microsoft Autodiscover
        (POST to https://DOMAIN and https://autodiscover.DOMAIN /autodiscover/autodiscover.xml,
        then _autodiscover._tcp SRV), mxray's provider catalog (by MX) and, for services still
        missing, guessed names (imap., pop3., smtp., mail.). Every candidate is probed: does the
        port answer the protocol, with the published TLS mode, offering authentication?

        With a password (MXRAY_PASSWORD, or asked for without echo when run on a terminal; never
        on the command line) the best candidate of each service is also logged in to, with the
        same code as `mxray login`. --no-login skips that.

        Output: per service the host, port, security and user name to use, with every source
        that named it; then all sources consulted and all candidates with what probing showed.

        Exit codes: 0 incoming (IMAP or POP3) and outgoing (SMTP) settings confirmed (and logged
        in to, when a password was given), 1 something missing or a login failed, 2 usage error,
        3 could not run.

        Examples:
          mxray locate alice@example.org
          MXRAY_PASSWORD=… mxray locate alice@example.org --format json
          mxray locate alice@good.lab.test --resolver 127.0.10.54 --ca-file lab-ca.crt --no-login
        """
    )

    @Argument(help: "The e-mail address whose server settings are wanted.")
    var address: String

    @Option(name: .customLong("resolver"), help: "A DNS server HOST[:PORT]; repeatable. Default: /etc/resolv.conf.")
    var resolvers: [String] = []

    @Option(name: .customLong("ca-file"), help: "A PEM file of extra CA certificates to trust (HTTPS and mail TLS).")
    var caFile: String?

    @Option(help: "Overall deadline in seconds.")
    var timeout: Double = 45

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Flag(name: .customLong("no-login"), help: "Do not log in, even when a password is available.")
    var noLogin = false

    func validate() throws {
        do { _ = try EmailAddress(address) } catch { throw ValidationError("'\(address)' is not an e-mail address: \(error)") }
        guard (try? EmailAddress(address))?.domainName != nil else { throw ValidationError("'\(address)' has no valid domain") }
        for r in resolvers where DNSServerAddress(parsing: r) == nil {
            throw ValidationError("--resolver '\(r)' is not HOST[:PORT] with an IP address (e.g. 127.0.0.1, [::1]:53)")
        }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json, not '\(format)'") }
        guard timeout > 0, timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw ValidationError("--ca-file '\(caFile)' is not readable") }
    }

    func run() async throws {
        let email = try EmailAddress(address)
        let password = noLogin ? nil : try Self.optionalPassword()
        let locator: LocateWiring.Locator
        do {
            locator = try LocateWiring.locator(LocateWiring.Settings(resolver: try CheckWiring.resolverConfiguration(resolvers), caFile: caFile))
        } catch let e as MXRayError { throw e } catch {
            throw MXRayError.couldNotRun("cannot set up TLS: \(error)")
        }
        if format == "text", isatty(STDERR_FILENO) == 1 {
            FileHandle.standardError.write(Data("locating the servers for \(email)…\n".utf8))
        }
        guard let result = await locator.run(email: email, password: password, timeout: .milliseconds(Int64(timeout * 1000))) else {
            throw MXRayError.usage("'\(address)' has no valid domain")
        }
        // No DNS server answered any SRV query: nothing could be looked up at all.
        let srv = result.sourceNotes.filter { $0.hasPrefix("SRV ") }
        if result.candidates.isEmpty, !srv.isEmpty, srv.allSatisfy({ $0.hasSuffix(": timeout") || $0.hasSuffix(": unreachable") }) {
            throw MXRayError.couldNotRun("no DNS server answered for \(email.domain)")
        }
        switch format {
        case "json": print(try JSONOutput.encode(result))
        default: print(LocateTextRenderer().render(result))
        }
        let incoming = result.recommended.contains { $0.candidate.service != .smtp }
        let outgoing = result.recommended.contains { $0.candidate.service == .smtp }
        // With a password, a service counts only when its login succeeded (see ClientConfirmation).
        if !incoming || !outgoing { throw FindingsExit(1) }
    }

    /// MXRAY_PASSWORD, or the no-echo prompt on a terminal; nil when neither is available
    /// (locate still confirms by probing).
    static func optionalPassword() throws -> String? {
        if ProcessInfo.processInfo.environment["MXRAY_PASSWORD"] != nil || isatty(STDIN_FILENO) == 1 {
            return try LoginCommand.password()
        }
        return nil
    }
}
