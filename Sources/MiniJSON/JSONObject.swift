/// A JSON object: string keys with values, in insertion order, each key at most once.
///
/// Setting a new key appends it at the end; setting an existing key replaces its value in place;
/// setting `nil` removes the key. Equality is order-sensitive: `{"a":1,"b":2}` is not `{"b":2,"a":1}`.
/// Keys compare as Swift strings (canonical equivalence), like `Dictionary` keys.
public struct JSONObject: Sendable, Hashable, Sequence {
    public typealias Element = (key: String, value: JSON)

    /// The keys, in order.
    public private(set) var keys: [String]
    /// The values, in the order of ``keys``.
    public private(set) var values: [JSON]
    /// Position of each key; built only once the object is large enough for linear search to be slow.
    private var positions: [String: Int]?

    private static let linearSearchLimit = 8

    public init() {
        keys = []
        values = []
        positions = nil
    }

    /// An object with `pairs` in order. Repeating a key is a programming error and traps,
    /// as it does for `Dictionary`.
    public init(_ pairs: KeyValuePairs<String, JSON>) {
        self.init()
        for (key, value) in pairs { appendNew(key: key, value: value) }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    public var underestimatedCount: Int { keys.count }

    /// The value for `key`. Setting a new key appends it at the end, setting an existing key
    /// replaces the value in place, and setting `nil` removes the key.
    public subscript(key: String) -> JSON? {
        get {
            guard let position = position(of: key) else { return nil }
            return values[position]
        }
        set {
            if let newValue {
                if let position = position(of: key) {
                    values[position] = newValue
                } else {
                    append(key: key, value: newValue)
                }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Removes `key` and returns its value, keeping the order of the other keys.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSON? {
        guard let position = position(of: key) else { return nil }
        keys.remove(at: position)
        let removed = values.remove(at: position)
        positions = nil
        if keys.count > Self.linearSearchLimit { buildPositions() }
        return removed
    }

    public func makeIterator() -> Iterator {
        Iterator(object: self)
    }

    public struct Iterator: IteratorProtocol {
        fileprivate let object: JSONObject
        fileprivate var offset = 0

        public mutating func next() -> Element? {
            guard offset < object.keys.count else { return nil }
            defer { offset += 1 }
            return (object.keys[offset], object.values[offset])
        }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.keys == rhs.keys && lhs.values == rhs.values
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(keys)
        hasher.combine(values)
    }

    // MARK: Internals

    func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return keys.firstIndex(of: key)
    }

    /// Appends a key that is not present yet.
    mutating func append(key: String, value: JSON) {
        keys.append(key)
        values.append(value)
        if positions != nil {
            positions![key] = keys.count - 1
        } else if keys.count > Self.linearSearchLimit {
            buildPositions()
        }
    }

    /// Appends `key`, trapping if it is present already (for literals and `init(_:)`).
    mutating func appendNew(key: String, value: JSON) {
        precondition(position(of: key) == nil, "duplicate key \"\(key)\" in JSON object literal")
        append(key: key, value: value)
    }

    private mutating func buildPositions() {
        var positions = [String: Int](minimumCapacity: keys.count)
        for (offset, key) in keys.enumerated() { positions[key] = offset }
        self.positions = positions
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// An object with the keys in source order. Repeating a key is a programming error and traps.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init()
        for (key, value) in elements { appendNew(key: key, value: value) }
    }
}

extension JSONObject: CustomStringConvertible {
    /// The compact serialization.
    public var description: String { JSON.object(self).serialized }
}
