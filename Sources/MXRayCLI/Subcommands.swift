import ArgumentParser

extension MXRay {
    /// One line per subcommand; each subcommand's type lives in `Commands/<Name>Command.swift`.
    static let subcommandList: [any ParsableCommand.Type] = [
        VersionCommand.self,
        FindingsCommand.self,
        LogsCommand.self,
        DNSCommand.self,
        ProbeCommand.self,
        LoginCommand.self,
        TLSCommand.self,
        SPFCommand.self,
        CheckCommand.self,
    ]
}
