// A peer's ref resolved to the one commit it is built from. A full 40-hex SHA is that commit; any
// other ref is what git resolves, refusing a short SHA that is also the name of a tag or branch
// (git would take the ref, and build, and run the Package.swift of, another commit).

import Foundation

extension PeerCache {
    /// The commit a ref names in the repository; exit 2 naming the peer and the ref when there is
    /// none, or when the ref is ambiguous.
    public func commit(of ref: String, peer: String) throws(ConfigError) -> String {
        let isFullSHA = ref.count == 40 && ref.allSatisfy(\.isHexDigit)
        let resolved = try Git.run(["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"], in: repository)
        let sha = resolved.text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard sha.count == 40, !isFullSHA || sha == ref.lowercased() else {
            throw ConfigError(
                "peer \"\(peer)\": ref \(ref) is not a commit of \(repository) (a shallow or partial clone lacks it: git fetch origin \(ref), or git fetch --unshallow)"
            )
        }
        if !isFullSHA { try refuseAmbiguity(of: ref, peer: peer, resolvedTo: sha) }
        return sha
    }

    /// Exit 2 when `ref` is both the name of a ref and the start of an object's SHA.
    private func refuseAmbiguity(of ref: String, peer: String, resolvedTo sha: String) throws(ConfigError) {
        // git abbreviates to no fewer than 4 hex digits.
        guard ref.count >= 4, ref.allSatisfy(\.isHexDigit) else { return }
        let named = try Git.run(["rev-parse", "--verify", "--quiet", "--symbolic-full-name", "--end-of-options", ref], in: repository)
        let fullName = named.text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard fullName.hasPrefix("refs/") else { return }
        let objects = try Git.run(["rev-parse", "--disambiguate=\(ref.lowercased())"], in: repository)
        let shas = (objects.text ?? "").split(separator: "\n").map(String.init)
        guard !shas.isEmpty else { return }
        throw ConfigError(
            "peer \"\(peer)\": ref \(ref) is ambiguous: it is the name of \(fullName) (commit \(sha)) and the start of the SHA of \(shas.joined(separator: ", ")); write the full 40-hex commit, or the ref as \(fullName)"
        )
    }
}
