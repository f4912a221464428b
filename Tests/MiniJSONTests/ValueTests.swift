import MiniJSON
import Testing

@Suite("Values and objects")
struct ValueTests {
    @Test("setting a new key appends it, setting an existing key replaces in place, nil removes")
    func objectMutation() {
        var object: JSONObject = ["b": 1, "a": 2]
        object["c"] = 3
        #expect(object.keys == ["b", "a", "c"])
        object["b"] = "replaced"
        #expect(object.keys == ["b", "a", "c"])
        #expect(object["b"] == "replaced")
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
        #expect(object.values == ["replaced", 3])
        #expect(object.count == 2)
        #expect(object.removeValue(forKey: "c") == 3)
        #expect(object.removeValue(forKey: "zzz") == nil)
        #expect(object.keys == ["b"])
        object["a"] = 4
        #expect(JSON.object(object).serialized == #"{"b":"replaced","a":4}"#)
        object["a"] = .null  // a null value is a member, not a removal
        #expect(object.keys == ["b", "a"])
        #expect(object["a"] == .null)
    }

    @Test("mutations past the linear-search size keep order and lookups")
    func largeObjectMutation() {
        var object = JSONObject()
        for index in 0..<40 { object["key\(index)"] = .integer(index) }
        object["key5"] = nil
        object["key30"] = "thirty"
        object["key5"] = 5
        var expected = (0..<40).filter { $0 != 5 }.map { "key\($0)" }
        expected.append("key5")
        #expect(object.keys == expected)
        #expect(object["key30"] == "thirty")
        #expect(object["key39"] == 39)
        #expect(object["key5"] == 5)
        for index in 0..<35 { object.removeValue(forKey: "key\(index)") }
        #expect(object.keys == ["key35", "key36", "key37", "key38", "key39"])
        #expect(object["key36"] == 36)
        #expect(object["key0"] == nil)
    }

    @Test("literals and init(_:) keep source order; iteration yields pairs in order")
    func literalOrder() {
        let object = JSONObject(["z": 1, "y": 2, "x": 3])
        #expect(object.keys == ["z", "y", "x"])
        #expect(object.map(\.key) == ["z", "y", "x"])
        #expect(object.map(\.value) == [1, 2, 3])
        let value: JSON = ["z": 1, "y": 2, "x": 3]
        #expect(value == .object(object))
        #expect(JSONObject().isEmpty)
        #expect(object.description == #"{"z":1,"y":2,"x":3}"#)
    }

    @Test("equality and hashing are order-sensitive and structural")
    func equalityAndHashing() {
        let ab: JSON = ["a": 1, "b": 2]
        let ba: JSON = ["b": 2, "a": 1]
        #expect(ab != ba)
        #expect(ab == ["a": 1, "b": 2])
        #expect(JSON.number("1") != .number("1.0"))
        let set: Set<JSON> = [ab, ba, ["a": 1, "b": 2], [1, 2], [1, 2], nil]
        #expect(set.count == 4)
        // The key index built for large objects does not take part in equality.
        var grown = JSONObject()
        for index in 0..<20 { grown["k\(index)"] = .integer(index) }
        for index in 2..<20 { grown["k\(index)"] = nil }
        #expect(grown == ["k0": 0, "k1": 1])
        #expect(grown.hashValue == JSONObject(["k0": 0, "k1": 1]).hashValue)
    }

    @Test(
        "typeName and accessors",
        arguments: [
            (JSON.null, "null"), (true, "boolean"), (1, "number"), ("s", "string"), ([], "array"), ([:], "object"),
        ] as [(JSON, String)])
    func typeNames(value: JSON, name: String) {
        #expect(value.typeName == name)
        #expect(value.isNull == (name == "null"))
        #expect((value.boolValue != nil) == (name == "boolean"))
        #expect((value.doubleValue != nil) == (name == "number"))
        #expect((value.numberText != nil) == (name == "number"))
        #expect((value.stringValue != nil) == (name == "string"))
        #expect((value.arrayValue != nil) == (name == "array"))
        #expect((value.objectValue != nil) == (name == "object"))
    }

    @Test("subscripts return nil for the wrong type, a missing key or an index out of range")
    func subscripts() throws {
        let value = try JSON.parse(#"{"list":[10,"x",{"k":false}],"n":null}"#)
        #expect(value["list"]?[0]?.intValue == 10)
        #expect(value["list"]?[1]?.stringValue == "x")
        #expect(value["list"]?[2]?["k"]?.boolValue == false)
        #expect(value["list"]?[3] == nil)
        #expect(value["list"]?[-1] == nil)
        #expect(value["n"] == .null)
        #expect(value["missing"] == nil)
        #expect(value["list"]?["k"] == nil)
        #expect(value[0] == nil)
        #expect(JSON.string("s")["k"] == nil)
        #expect(value["list"]?.arrayValue?.count == 3)
        #expect(value.objectValue?.keys == ["list", "n"])
        #expect(value["list"]?[1]?.intValue == nil)
        #expect(JSON.bool(true).intValue == nil)
    }
}
