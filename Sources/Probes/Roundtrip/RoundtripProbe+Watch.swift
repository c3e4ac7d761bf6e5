import Foundation
import MailCore
import MailWire
import NIOCore

extension RoundtripProbe {
    /// Folders a filter files unwanted mail into: RFC 6154 `\Junk`, or a familiar name.
    static func isJunk(name: String, attributes: [String]) -> Bool {
        if attributes.contains("\\JUNK") { return true }
        let leaf = name.split(whereSeparator: { $0 == "." || $0 == "/" }).last.map { $0.lowercased() } ?? ""
        return ["junk", "spam", "junk e-mail", "junk email", "bulk mail", "quarantine"].contains(leaf)
    }

    /// Submits the message, then searches the folders for its token until it shows up or the
    /// arrival deadline passes. INBOX is watched with IDLE when offered (RFC 2177); junk
    /// folders are searched between IDLE periods.
    func sendAndWatch(_ watch: IMAPWatch, request: RoundtripRequest, clock: Stopwatch,
                      into result: inout RoundtripResult) async throws(ProbeReadError) {
        let token = result.token
        let message: [UInt8]
        if let test = request.test {
            message = test.message(from: request.from, to: [request.to], token: token)
        } else {
            message = MessageText.build(
                from: request.from, to: [request.to], subject: "mxray round trip \(token)",
                extraHeaders: [("X-MXRay-Token", token)],
                body: "A round-trip test message sent by mxray; it can be deleted.\r\n")
        }
        var send = SendRequest(address: request.submissionAddress, port: request.submissionPort, host: request.host,
                               tls: request.submissionTLS, from: request.from, to: [request.to], message: message)
        send.user = request.user
        send.password = request.password
        var sender = SMTPSender(tlsSettings: tlsSettings, timeouts: timeouts, group: group)
        sender.limits = limits
        let sendStart = clock.milliseconds
        watch.connection.note("submitting the message (token \(token))")
        let sent = await sender.send(send)
        result.send = sent
        guard sent.ending == .accepted, let accepted = sent.acceptedAtMilliseconds else {
            result.status = .notAccepted
            watch.connection.note("submission did not accept the message")
            return
        }
        result.submissionMilliseconds = accepted
        let acceptedAt = sendStart + accepted
        watch.connection.note("submission accepted the message; watching")
        result.usedIDLE = watch.capabilities.idle
        let arrival = NIODeadline.now() + request.arrivalTimeout
        while NIODeadline.now() < arrival {
            let folders = try await watch.list()
            let junk = folders.filter { Self.isJunk(name: $0.name, attributes: $0.attributes) }.map(\.name)
            // INBOX last, so it stays selected for IDLE.
            for folder in junk + ["INBOX"] {
                guard try await watch.examine(folder) else { continue }
                if let uid = try await watch.searchHeader("X-MXRay-Token", token).first {
                    let seen = clock.milliseconds
                    result.status = .arrived
                    result.folder = folder
                    result.folderIsJunk = folder != "INBOX" && junk.contains(folder)
                    result.endToEndMilliseconds = seen - sendStart
                    result.afterAcceptanceMilliseconds = seen - acceptedAt
                    result.headerSection = Array(try await watch.fetchHeader(uid: uid).prefix(256 * 1024))
                    return
                }
            }
            let sliceEnd = min(arrival, .now() + request.pollInterval)
            if result.usedIDLE {
                _ = try await watch.idle(until: sliceEnd)
            } else {
                let wait = sliceEnd - .now()
                if wait > .zero { try? await Task.sleep(nanoseconds: UInt64(wait.nanoseconds)) }
            }
        }
        result.status = .notArrived
        watch.connection.note("not found before the deadline")
    }
}
