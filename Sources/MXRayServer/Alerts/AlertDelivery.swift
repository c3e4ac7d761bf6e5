import AsyncHTTPClient
import Foundation
import NIOCore
import Wiring

/// Sends Alertmanager-shaped payloads to the configured receivers: an HTTP POST for webhooks,
/// stdin of a program for commands. Each delivery has its receiver's deadline; a failure is
/// reported (and logged by the caller), never retried in a loop.
public struct AlertDelivery: Sendable {
    public let externalURL: String

    public init(externalURL: String) {
        self.externalURL = externalURL
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public func deliver(_ notices: [AlertNotice], to receiver: AlertReceiver) async throws(Failure) {
        let payload = AlertmanagerPayload(receiver: receiver.name, notices: notices, externalURL: externalURL)
        let body: Data
        do { body = try payload.jsonData() } catch { throw Failure(description: "cannot encode payload: \(error)") }
        switch receiver.kind {
        case .webhook(let url): try await post(body, to: url, timeout: receiver.timeout, name: receiver.name)
        case .command(let argv): try await run(argv, stdin: body, timeout: receiver.timeout, name: receiver.name)
        }
    }

    func post(_ body: Data, to url: String, timeout: Duration, name: String) async throws(Failure) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "mxray-alerts")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeAmount(timeout))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(Int(response.status.code)) else {
                throw Failure(description: "webhook \(name): HTTP \(response.status.code) from \(url)")
            }
        } catch let f as Failure {
            throw f
        } catch {
            throw Failure(description: "webhook \(name): \(url): \(error)")
        }
    }

    /// Runs the program (no shell) with the payload on stdin; a non-zero exit or the deadline is a failure.
    func run(_ argv: [String], stdin: Data, timeout: Duration, name: String) async throws(Failure) {
        guard let exe = argv.first else { throw Failure(description: "command \(name): empty argv") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = Array(argv.dropFirst())
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let status: Int32
        do {
            status = try await withCheckedThrowingContinuation { (c: CheckedContinuation<Int32, any Error>) in
                p.terminationHandler = { c.resume(returning: $0.terminationStatus) }
                do {
                    try p.run()
                } catch {
                    p.terminationHandler = nil
                    c.resume(throwing: error)
                    return
                }
                let deadline = DispatchTime.now() + .milliseconds(Int(timeAmount(timeout).nanoseconds / 1_000_000))
                DispatchQueue.global().asyncAfter(deadline: deadline) { if p.isRunning { p.terminate() } }
                DispatchQueue.global().async {
                    try? input.fileHandleForWriting.write(contentsOf: stdin)
                    try? input.fileHandleForWriting.close()
                }
            }
        } catch {
            throw Failure(description: "command \(name): cannot start \(exe): \(error)")
        }
        if status != 0 { throw Failure(description: "command \(name): \(exe) exited with status \(status)") }
    }
}
