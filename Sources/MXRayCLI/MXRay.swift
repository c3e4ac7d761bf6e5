import ArgumentParser
import MailCore

/// The root command: it only lists the subcommands (each lives in `Commands/`).
public struct MXRay: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mxray",
        abstract: "Find, probe and diagnose mail servers: DNS, ports, SMTP/IMAP/POP3, TLS and logs.",
        discussion: """
        Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error,
        3 could not run (no resolver, no network, unreadable input).

        Examples:
          mxray check example.org
          mxray check example.org --symptom bounce --format html > report.html
          mxray dns example.org
          mxray probe mx1.example.org --ports 25,587
          mxray tls mx1.example.org:25 --starttls smtp
          mxray logs /var/log/mail.log
        """,
        version: MXRayVersion.string,
        subcommands: MXRay.subcommandList
    )

    public init() {}
}
