// `compat list`: the peers of the matrix, and the message types of each version.

import ArgumentParser
import CompatRunner
import Foundation
import TGP

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Lists the matrix's peers, the versions, and the message types by version."
    )

    @OptionGroup var matrixOptions: MatrixOptions

    func run() throws {
        let (config, _) = try matrixOptions.load()
        let schema = Schema.tgp
        var out = "Peers (\(config.path)):\n"
        for peer in config.peers {
            let range = schema.peerRanges[peer.version]!
            let roles = [config.clients.contains(peer.name) ? "client" : nil, config.gateways.contains(peer.name) ? "gateway" : nil].compactMap { $0 }
            out += "  \(peer.name.padding(toLength: 12, withPad: " ", startingAt: 0)) v\(peer.version)  supports \(range.lowerBound)..\(range.upperBound)  \(roles.joined(separator: "+"))  \(peer.argv.joined(separator: " "))\n"
        }
        out += "\nMessage types by version (• known at that version):\n"
        let versions = schema.versions
        out += "  " + "message".padding(toLength: 20, withPad: " ", startingAt: 0) + "id   dir   " + versions.map { "v\($0) " }.joined() + "\n"
        for type in schema.messages {
            let marks = versions.map { type.since <= $0 ? " •  " : " ·  " }.joined()
            out += "  " + type.name.padding(toLength: 20, withPad: " ", startingAt: 0)
                + String(type.templateId).padding(toLength: 5, withPad: " ", startingAt: 0)
                + type.direction.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0) + marks + "\n"
        }
        emit(out)
    }
}

enum TGPNames {
    static var messages: [String] { Schema.tgp.messages.map(\.name) }
}
