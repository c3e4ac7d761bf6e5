@testable import MailLogs

/// Presents a decoded `MailEvent` under postfix-grok's field names, so the grok cases can be
/// compared field by field. Where grok uses different names for one of our fields depending on
/// the daemon, each applicable name is emitted.
func grokNames(_ e: MailEvent, _ b: LineBytes, daemon: String) -> [String: String] {
    var o: [String: String] = [:]
    func put(_ k: String, _ s: Span) { if s.isSet { o[k] = b.string(s) } }
    func num(_ k: String, _ v: Int64) { if v >= 0 { o[k] = String(v) } }
    put("postfix_queueid", e.queueID)
    put("postfix_client_hostname", e.clientHost)
    if e.clientIP.isSet {
        let ip = b.string(e.clientIP)
        o[ip == "unknown" ? "postfix_client_ip_unknown" : "postfix_client_ip"] = ip
    }
    if e.clientPort >= 0 { o["postfix_client_port"] = String(e.clientPort) }
    put("postfix_server_ip", e.serverIP)
    if e.serverPort >= 0 { o["postfix_server_port"] = String(e.serverPort) }
    put("postfix_relay_hostname", e.relayHost)
    put("postfix_relay_ip", e.relayIP)
    put("postfix_relay_service", e.relayService)
    if e.relayPort >= 0 { o["postfix_relay_port"] = String(e.relayPort) }
    put("postfix_keyvalue_data", e.keyValues)
    put("postfix_status", e.statusText)
    put("postfix_message_level", e.level)
    put("postfix_message", e.statusMessage)
    put("postfix_from", e.from)
    put("postfix_message-id", e.messageIDValue)
    put("postfix_command_counter_data", e.counters)
    put("postfix_tls_trustlevel", e.tlsTrust)
    put("postfix_tls_version", e.tlsVersion)
    put("postfix_tls_cipher", e.tlsCipher)
    put("postfix_tls_cipher_size", e.tlsBits)
    put("postfix_tls_key_exchange", e.tlsKeyExchange)
    put("postfix_tls_server_signature", e.tlsSignature)
    put("postfix_tls_server_signature_curve", e.tlsSignatureCurve)
    put("postfix_tls_server_signature_size", e.tlsSignatureBits)
    put("postfix_tls_server_digest", e.tlsDigest)
    for r in ["smtp", "local", "pipe", "error"] { put("postfix_\(r)_response", e.response) }
    switch e.kind {
    case .reject where daemon == "cleanup", .cleanupAction:
        var act = b.string(e.actionText)
        if act.hasPrefix("milter-") { act.removeFirst(7) }
        o["postfix_milter_result"] = act
        put("postfix_milter_message", e.statusMessage)
        put("postfix_milter_data", e.extra)
        if e.action == .info || e.action == .warning { o["postfix_message_level"] = b.string(e.actionText) }
        put("postfix_prepend_type", e.word)
        put("postfix_prepend_trigger", e.trigger)
        put("postfix_prepend_value", e.extra)
    case .reject:
        put("postfix_action", e.actionText)
        put("postfix_smtp_stage", e.stage)
        if e.replyCode > 0 { o["postfix_status_code"] = String(e.replyCode) }
        put("postfix_status_code_enhanced", e.enhancedCode)
        put("postfix_status_data", e.statusData)
        put("postfix_status_message", e.statusMessage)
        put("postfix_postscreen_toobusy_data", e.statusMessage)
    case .proxy:
        put("postfix_proxy_result", e.actionText)
        put("postfix_proxy_smtp_stage", e.stage)
        put("postfix_proxy_message", e.statusMessage)
        if e.replyCode > 0 { o["postfix_proxy_status_code"] = String(e.replyCode) }
        put("postfix_proxy_status_code_enhanced", e.enhancedCode)
    case .lostConnection:
        put("postfix_smtpd_lostconn_data", e.word)
        put("postfix_smtp_stage", e.stage)
    case .tlsError:
        if daemon == "smtpd" { put("postfix_smtpd_lostconn_data", e.word) }
        put("postfix_smtp_lostconn_data", e.statusMessage)
        put("postfix_tls_error", e.statusMessage)
    case .connectFailure:
        put("postfix_smtp_lostconn_data", e.statusMessage)
    case .remoteReply:
        put("postfix_smtp_lostconn_data", e.word)
        put("postfix_smtp_lostconn_reason", e.extra)
        put("postfix_smtp_stage", e.stage)
    case .notice:
        put("postfix_discarded_ehlo_keywords", e.extra)
        put("postfix_pix_workaround", e.extra)
    case .statistics:
        let what = b.string(e.statusMessage)
        if daemon == "anvil" {
            let key = what == "connection count" ? "conn_count" : what == "connection rate" ? "conn_rate" : what.replacingOccurrences(of: " ", with: "_")
            num("postfix_anvil_\(key)", e.n1)
            put("postfix_anvil_conn_period", e.word)
            put("postfix_service", e.service)
            put("postfix_anvil_timestamp", e.extra)
        } else if daemon == "scache" {
            let w = b.string(e.word)
            if w == "start interval" { put("postfix_scache_timestamp", e.extra) }
            else if w == "max simultaneous" { num("postfix_scache_domains", e.n1); num("postfix_scache_addresses", e.n2); num("postfix_scache_connection", e.n3) }
            else { num("postfix_scache_hits", e.n1); num("postfix_scache_miss", e.n2); num("postfix_scache_success", e.n3) }
        } else {
            num("postfix_\(daemon)_cache_retained", e.n1)
            num("postfix_\(daemon)_cache_dropped", e.n2)
            put("postfix_\(daemon)_cleanup_type", e.word)
        }
    case .postscreen:
        put("postfix_postscreen_access", e.word)
        put("postfix_postscreen_violation", e.word)
        put("postfix_postscreen_violation_time", e.extra)
        num("postfix_postscreen_dnsbl_rank", e.n1)
        put("postfix_smtp_stage", e.stage)
    case .dnsbl:
        put("postfix_dnsbl_domain", e.statusData)
        put("postfix_dnsbl_result", e.statusMessage)
    case .bounceNotice:
        put("postfix_bounce_queueid", e.forwardedAs)
        put("postfix_bounce_recipient", e.word)
        put("postfix_bounce_reason", e.statusMessage)
    case .master:
        put("postfix_version", e.word)
        put("postfix_config_path", e.extra)
        num("postfix_termination_signal", e.n1)
    case .postsuper:
        put("postfix_postsuper_action", e.statusMessage)
        put("postfix_postsuper_summary_action", e.word)
        num("postfix_postsuper_summary_count", e.n1)
    default: break
    }
    return o
}
