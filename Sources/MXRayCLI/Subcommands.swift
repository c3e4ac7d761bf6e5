import ArgumentParser

extension MXRay {
    /// One line per subcommand; each subcommand's type lives in `Commands/<Name>Command.swift`.
    static let subcommandList: [any ParsableCommand.Type] = [
        CheckCommand.self,
        LocateCommand.self,
        AuditCommand.self,
        DNSCommand.self,
        SPFCommand.self,
        ProbeCommand.self,
        TLSCommand.self,
        LoginCommand.self,
        SendCommand.self,
        RoundtripCommand.self,
        HeadersCommand.self,
        LogsCommand.self,
        LedgerCommand.self,
        PathCommand.self,
        DNSBLCommand.self,
        SplitCommand.self,
        ServeCommand.self,
        FindingsCommand.self,
        VersionCommand.self,
    ]
}
