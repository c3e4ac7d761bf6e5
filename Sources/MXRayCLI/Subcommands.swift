import ArgumentParser

extension MXRay {
    /// One line per subcommand; each subcommand's type lives in `Commands/<Name>Command.swift`.
    static let subcommandList: [any ParsableCommand.Type] = [
        CheckCommand.self,
        DNSCommand.self,
        SPFCommand.self,
        ProbeCommand.self,
        TLSCommand.self,
        LoginCommand.self,
        LogsCommand.self,
        FindingsCommand.self,
        VersionCommand.self,
    ]
}
