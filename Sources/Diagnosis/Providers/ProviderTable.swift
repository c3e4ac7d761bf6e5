/// The provider catalog as data: one entry per provider, with the MX and autodiscover patterns
/// that identify it and the client settings, SPF include and DKIM selectors it documents.
/// Sources: each provider's public admin documentation (URL in `documentation`).
public enum ProviderTable {
    typealias C = ProviderDefinition.ClientSetting

    static func p(_ id: String, _ name: String, mx: [String], auto: [String] = [], banner: [String] = [],
                  clients: [C] = [], spf: String? = nil, dkim: [String] = [], doc: String? = nil) -> ProviderDefinition {
        ProviderDefinition(id: id, name: name, mxSuffixes: mx.map { "." + $0 }, autodiscoverSuffixes: auto.map { "." + $0 },
                           bannerNeedles: banner, clientSettings: clients, spfInclude: spf, dkimSelectors: dkim,
                           documentation: doc)
    }

    public static let all: [ProviderDefinition] = hosted + selfHosted

    public static let hosted: [ProviderDefinition] = [
        p("microsoft365", "Microsoft 365 (Exchange Online)", mx: ["mail.protection.outlook.com", "mx.microsoft"],
          auto: ["autodiscover.outlook.com"],
          clients: [C("imap", "outlook.office365.com", 993, "ssl"), C("pop3", "outlook.office365.com", 995, "ssl"),
                    C("smtp", "smtp.office365.com", 587, "starttls")],
          spf: "spf.protection.outlook.com", dkim: ["selector1", "selector2"],
          doc: "https://learn.microsoft.com/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365"),
        p("google", "Google Workspace", mx: ["google.com", "googlemail.com", "smtp.google.com"],
          clients: [C("imap", "imap.gmail.com", 993, "ssl"), C("pop3", "pop.gmail.com", 995, "ssl"),
                    C("smtp", "smtp.gmail.com", 465, "ssl")],
          spf: "_spf.google.com", dkim: ["google"], doc: "https://support.google.com/a/answer/174125"),
        p("tencent-exmail", "Tencent Exmail (腾讯企业邮)", mx: ["exmail.qq.com", "qq.com"],
          clients: [C("imap", "imap.exmail.qq.com", 993, "ssl"), C("pop3", "pop.exmail.qq.com", 995, "ssl"),
                    C("smtp", "smtp.exmail.qq.com", 465, "ssl")],
          spf: "spf.mail.qq.com", doc: "https://open.work.weixin.qq.com/help2/pc/19886"),
        p("alibaba-mail", "Alibaba Mail (阿里企业邮箱)", mx: ["mxhichina.com", "qiye.aliyun.com"],
          clients: [C("imap", "imap.qiye.aliyun.com", 993, "ssl"), C("pop3", "pop.qiye.aliyun.com", 995, "ssl"),
                    C("smtp", "smtp.qiye.aliyun.com", 465, "ssl")],
          spf: "spf.mxhichina.com", doc: "https://help.aliyun.com/document_detail/36576.html"),
        p("netease-qiye", "NetEase Qiye Mail (网易企业邮箱)", mx: ["qiye.163.com", "ym.163.com"],
          clients: [C("imap", "imaphz.qiye.163.com", 993, "ssl"), C("pop3", "pophz.qiye.163.com", 995, "ssl"),
                    C("smtp", "smtphz.qiye.163.com", 465, "ssl")],
          spf: "spf.163.com", doc: "https://qiye.163.com/help/client.html"),
        p("zoho", "Zoho Mail", mx: ["zoho.com", "zoho.eu", "zoho.in", "zohomail.com"],
          clients: [C("imap", "imap.zoho.com", 993, "ssl"), C("pop3", "pop.zoho.com", 995, "ssl"),
                    C("smtp", "smtp.zoho.com", 465, "ssl")],
          spf: "zohomail.com", dkim: ["zmail"], doc: "https://www.zoho.com/mail/help/imap-access.html"),
        p("yandex360", "Yandex 360", mx: ["mx.yandex.net", "yandex.ru", "yandex.net"],
          clients: [C("imap", "imap.yandex.com", 993, "ssl"), C("pop3", "pop.yandex.com", 995, "ssl"),
                    C("smtp", "smtp.yandex.com", 465, "ssl")],
          spf: "_spf.yandex.net", dkim: ["mail"], doc: "https://yandex.com/support/yandex-360/business/mail/en/mail-clients"),
        p("proton", "Proton Mail", mx: ["protonmail.ch", "proton.me"],
          clients: [C("imap", "127.0.0.1", 1143, "starttls"), C("smtp", "127.0.0.1", 1025, "starttls")],
          spf: "_spf.protonmail.ch", dkim: ["protonmail", "protonmail2", "protonmail3"],
          doc: "https://proton.me/support/custom-domain"),
        p("fastmail", "Fastmail", mx: ["messagingengine.com"],
          clients: [C("imap", "imap.fastmail.com", 993, "ssl"), C("pop3", "pop.fastmail.com", 995, "ssl"),
                    C("smtp", "smtp.fastmail.com", 465, "ssl")],
          spf: "spf.messagingengine.com", dkim: ["fm1", "fm2", "fm3"], doc: "https://www.fastmail.help/hc/en-us/articles/1500000278342"),
        p("amazon-workmail", "Amazon WorkMail / SES", mx: ["awsapps.com", "amazonaws.com", "amazonses.com"],
          clients: [C("imap", "imap.mail.us-east-1.awsapps.com", 993, "ssl"),
                    C("smtp", "smtp.mail.us-east-1.awsapps.com", 465, "ssl")],
          spf: "amazonses.com", doc: "https://docs.aws.amazon.com/workmail/latest/userguide/using_IMAP_client.html"),
        p("mimecast", "Mimecast (filtering)", mx: ["mimecast.com", "mimecast.co.za"],
          spf: "_netblocks.mimecast.com", doc: "https://community.mimecast.com/s/article/Mimecast-Data-Centers-and-URLs"),
        p("proofpoint", "Proofpoint (filtering)", mx: ["pphosted.com", "ppe-hosted.com"],
          doc: "https://help.proofpoint.com/"),
        p("barracuda", "Barracuda Email Security (filtering)", mx: ["barracudanetworks.com"],
          spf: "spf.ess.barracudanetworks.com", doc: "https://campus.barracuda.com/product/emailgatewaydefense/"),
    ]

    /// Self-hosted server families, recognised only from greetings.
    public static let selfHosted: [ProviderDefinition] = [
        p("exchange", "Self-hosted Microsoft Exchange", mx: [], banner: ["microsoft esmtp mail service", "microsoft exchange"]),
        p("postfix", "Self-hosted Postfix", mx: [], banner: ["postfix"]),
        p("exim", "Self-hosted Exim", mx: [], banner: ["exim"]),
    ]
}
