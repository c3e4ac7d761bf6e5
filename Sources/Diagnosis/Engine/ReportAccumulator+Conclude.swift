import Foundation
import MailCore
import MailWire

extension ReportAccumulator {
    /// Derives the facts the trees use, raises the engine's own findings for them, and walks
    /// the fault trees.
    mutating func conclude(mxNames: Set<String>, clientPorts: Set<Int>) {
        let facts = Self.facts(findings: findings, ports: ports, mxNames: mxNames, clientPorts: clientPorts,
                               mtaSTSMode: authResult?.mtaSTS.mode, danePublished: tls.contains { !($0.dane?.records.isEmpty ?? true) })
        if let support = facts[Fact.port25NoneOpen], !support.isEmpty {
            let ev = Array(Set(support.flatMap(\.evidenceIDs))).sorted()
            let states = ports.filter { $0.port == 25 }.map { "\($0.subject) \($0.connect.state.rawValue)" }.joined(separator: ", ")
            if let f = FindingCatalog.definition("check.mx.unreachable")?.raise(subject: target.domain?.description ?? target.input,
                                                                               detail: states, evidence: ev) {
                findings.append(f)
            }
        }
        let obs = FaultObservations(findings: findings, facts: facts, untested: untested)
        conclusions = FaultTreeEvaluator().evaluate(obs, symptom: symptom)
    }

    /// Facts over several observations at once, each with the findings that support it.
    static func facts(findings: [Finding], ports: [PortObservation], mxNames: Set<String>, clientPorts: Set<Int>,
                      mtaSTSMode: String?, danePublished: Bool) -> [String: [Finding]] {
        var facts: [String: [Finding]] = [:]
        let mx25 = ports.filter { $0.port == 25 && (mxNames.isEmpty || mxNames.contains($0.host ?? "")) }
        func support(_ ids: [String], port: Int) -> [Finding] {
            findings.filter { ids.contains($0.id) && $0.subject.hasSuffix(":\(port)") }
        }
        let portIDs = ["port.filtered", "port.refused", "port.unreachable", "probe.inconclusive"]
        if !mx25.isEmpty {
            // RFC 5321 §5.1: a sender tries every MX address; only when none answers is mail stuck.
            if mx25.allSatisfy({ $0.connect.state == .filtered }) { facts[Fact.port25AllFiltered] = support(["port.filtered"], port: 25) }
            if mx25.allSatisfy({ $0.connect.state == .refused }) { facts[Fact.port25AllRefused] = support(["port.refused"], port: 25) }
            if mx25.allSatisfy({ $0.connect.state != .open }) { facts[Fact.port25NoneOpen] = support(portIDs, port: 25) }
        }
        if mtaSTSMode == "enforce" {
            facts[Fact.mtaSTSEnforce] = findings.filter { $0.id.hasPrefix("mtasts.") }
        }
        if danePublished {
            facts[Fact.danePublished] = findings.filter { $0.id.hasPrefix("tls.dane.") }
        }
        let client = ports.filter { clientPorts.contains($0.port) }
        if !client.isEmpty, client.allSatisfy({ $0.connect.state != .open }) {
            facts[Fact.clientNoneOpen] = clientPorts.sorted().flatMap { support(portIDs, port: $0) }
        }
        return facts
    }

    func report(resolvers: [String], startedAt: Date, finishedAt: Date) -> Report {
        let order = [Stage.locate, Stage.auth, Stage.probe, Stage.tls, Stage.clientConfig, Stage.provider]
        let stages = self.stages.enumerated().sorted { a, b in
            let (x, y) = (order.firstIndex(of: a.element.name) ?? order.count, order.firstIndex(of: b.element.name) ?? order.count)
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
        return Report(target: target, resolvers: resolvers, startedAt: startedAt, finishedAt: finishedAt, symptom: symptom,
               provider: providerMatch, mxHosts: hosts, stages: stages, findings: findings, faultTree: conclusions,
               evidence: evidence, locate: locateResult, auth: authResult, ports: ports, tls: tls)
    }
}
