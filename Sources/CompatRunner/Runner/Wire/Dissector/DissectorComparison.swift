// Two JSON values compared strictly: the same keys in every object, the same number of items
// in every array, and equal leaves after the one normalisation DissectorTree describes (numbers
// as decimal text, floating point at 15 significant digits). Each difference names its path.

import Foundation
import MiniJSON

struct DissectorComparison {
    /// Leaves compared.
    private(set) var leaves = 0
    /// `(path, compat's value, tshark's value)`.
    private(set) var differences: [(path: String, compat: String, tshark: String)] = []

    mutating func compare(_ compat: JSON, _ tshark: JSON, path: String) {
        switch (compat, tshark) {
        case (.object(let a), .object(let b)):
            for key in Set(a.keys).union(b.keys).sorted() {
                let place = path.isEmpty ? key : "\(path).\(key)"
                switch (a[key], b[key]) {
                case (let x?, let y?): compare(x, y, path: place)
                case (let x?, nil): differences.append((place, x.serialized, "(not shown)"))
                case (nil, let y?): differences.append((place, "(not decoded)", y.serialized))
                case (nil, nil): break
                }
            }
        case (.array(let a), .array(let b)):
            guard a.count == b.count else {
                differences.append((path, "\(a.count) items", "\(b.count) items"))
                return
            }
            for (index, (x, y)) in zip(a, b).enumerated() { compare(x, y, path: "\(path)[\(index)]") }
        default:
            leaves += 1
            if Self.normalised(compat) != Self.normalised(tshark) {
                differences.append((path, compat.serialized, tshark.serialized))
            }
        }
    }

    /// A leaf as text: numbers as decimal text, floating point at 15 significant digits.
    static func normalised(_ value: JSON) -> String {
        guard case .number(let text) = value else { return value.serialized }
        guard text.contains(where: { ".eE".contains($0) }), let number = Double(text) else { return text }
        return String(format: "%.15g", number)
    }
}
