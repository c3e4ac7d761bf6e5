import Testing
@testable import Diagnosis

@Suite("Provider catalog")
struct ProviderTests {
    @Test("MX names identify hosted providers, case- and trailing-dot-insensitively")
    func byMX() {
        let cases: [(String, String)] = [
            ("example-org.mail.protection.outlook.com.", "microsoft365"),
            ("ASPMX.L.GOOGLE.COM", "google"),
            ("mxbiz1.qq.com", "tencent-exmail"),
            ("mxw.mxhichina.com", "alibaba-mail"),
            ("mx.qiye.163.com", "netease-qiye"),
            ("mx.zoho.eu", "zoho"),
            ("mx.yandex.net", "yandex360"),
            ("mail.protonmail.ch", "proton"),
            ("in1-smtp.messagingengine.com", "fastmail"),
            ("inbound-smtp.us-east-1.amazonaws.com", "amazon-workmail"),
            ("eu-smtp-inbound-1.mimecast.com", "mimecast"),
            ("mx0a-001.pphosted.com", "proofpoint"),
            ("d123.ess.barracudanetworks.com", "barracuda"),
        ]
        for (mx, id) in cases {
            #expect(ProviderCatalog.match(mxHosts: [mx])?.provider.id == id, "\(mx)")
        }
    }

    @Test("a suffix must match at a label boundary")
    func labelBoundary() {
        #expect(ProviderCatalog.match(mxHosts: ["mx.notgoogle.com"]) == nil)
        #expect(ProviderCatalog.match(mxHosts: ["mx1.example.org"]) == nil)
    }

    @Test("self-hosted software from banners; MX names win over banners")
    func banners() {
        #expect(ProviderCatalog.match(mxHosts: [], banners: ["220 mx.example.org ESMTP Exim 4.96"])?.provider.id == "exim")
        #expect(ProviderCatalog.match(mxHosts: [], banners: ["220 mail.corp Microsoft ESMTP MAIL Service ready"])?.provider.id == "exchange")
        #expect(ProviderCatalog.match(mxHosts: [], banners: ["220 mx ESMTP Postfix (Debian/GNU)"])?.provider.id == "postfix")
        #expect(ProviderCatalog.match(mxHosts: ["aspmx.l.google.com"], banners: ["220 mx ESMTP Postfix"])?.provider.id == "google")
        #expect(ProviderCatalog.match(mxHosts: ["x.autodiscover.outlook.com"], autodiscoverTargets: []) == nil)
        #expect(ProviderCatalog.match(mxHosts: [], autodiscoverTargets: ["autodiscover.outlook.com"])?.provider.id == "microsoft365")
    }

    @Test("SPF include detection works on terms, with qualifiers, not on substrings")
    func spfInclude() {
        #expect(ProviderCatalog.spfHasInclude("v=spf1 include:_spf.google.com ~all", include: "_spf.google.com"))
        #expect(ProviderCatalog.spfHasInclude("v=spf1 +include:_SPF.google.com -all", include: "_spf.google.com"))
        #expect(!ProviderCatalog.spfHasInclude("v=spf1 include:x_spf.google.com -all", include: "_spf.google.com"))
        #expect(!ProviderCatalog.spfHasInclude("v=spf1 mx -all", include: "_spf.google.com"))
    }

    @Test("every hosted provider documents client settings or is a filtering gateway; ids are unique")
    func tableIsComplete() {
        let ids = ProviderTable.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for p in ProviderTable.hosted {
            #expect(!p.mxSuffixes.isEmpty)
            #expect(!p.clientSettings.isEmpty || p.name.contains("filtering"), "\(p.id)")
            #expect(p.documentation != nil, "\(p.id)")
            for c in p.clientSettings { #expect((1...65535).contains(c.port) && ["ssl", "starttls"].contains(c.security)) }
        }
    }
}
