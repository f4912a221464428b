// One frame of any schema by hand (`compat decode`, `compat encode`): hex to the peer contract's
// message JSON as a receiver of a version reads it, and that JSON to the frame a sender acting
// at a version writes. A frame or message the codec refuses is a result (DecodeError,
// EncodeError); input that is not hex, not JSON or not a message of the schema is a ConfigError.

import Foundation
import MiniJSON
import PeerContract
import TGP

public enum FrameTool {
    /// The versions a version option may name: the schema's released versions, or every version
    /// up to its own when it names none.
    public static func versions(of schema: Schema) -> [Int] {
        schema.versions.isEmpty ? Array(0...max(0, schema.version)) : schema.versions
    }

    /// `requested`, checked to be a version of the schema; the newest when nil. `option` names
    /// the option in the error (`--as-version`).
    public static func version(_ requested: Int?, of schema: Schema, option: String) throws(ConfigError) -> Int {
        let versions = versions(of: schema)
        guard let requested else { return versions.last ?? 0 }
        guard versions.contains(requested) else {
            throw ConfigError("\(option) \(requested): not a version of the schema (\(versions.map(String.init).joined(separator: ", ")))")
        }
        return requested
    }

    /// The bytes of `hex` (either case; spaces and line breaks between digits are ignored).
    public static func frame(hex: String) throws(ConfigError) -> [UInt8] {
        let digits = String(hex.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) })
        guard !digits.isEmpty else { throw ConfigError("the frame is empty: give it as hex, e.g. 1f000a00…") }
        guard let bytes = TGP.bytes(fromHex: digits) else {
            throw ConfigError("the frame is not hex: an even number of the digits 0-9 and a-f, e.g. 1f000a00…")
        }
        return bytes
    }

    /// `frame` decoded by a receiver whose newest version is `receiver`:
    /// `{"templateId": …, "version": …, "blockLength": …, "message": {"type": …, "fields": {…}}}`,
    /// the header as sent and the message as that receiver delivers it; or why it refused the frame.
    public static func decode(_ frame: [UInt8], schema: Schema, asVersion receiver: Int) -> Result<JSON, DecodeError> {
        do throws(DecodeError) {
            let decoded = try Codec(schema: schema).decode(frame, asVersion: receiver)
            return .success([
                "templateId": .integer(decoded.header.templateId), "version": .integer(decoded.header.version),
                "blockLength": .integer(decoded.header.blockLength), "message": decoded.message.json(knownAt: receiver),
            ])
        } catch {
            return .failure(error)
        }
    }

    /// The message of the contract's JSON text `{"type": …, "fields": {…}}`, read with every field
    /// the schema has (a field newer than the acting version is then the encoder's to refuse).
    public static func message(json text: String, schema: Schema) throws(ConfigError) -> Message {
        let json: JSON
        do {
            json = try JSON.parse(Array(text.utf8))
        } catch {
            throw ConfigError("the message is not JSON: \(error)")
        }
        do throws(ContractError) {
            return try Message(json: json, schema: schema, knownAt: versions(of: schema).last ?? schema.version)
        } catch {
            throw ConfigError("the message: \(error)")
        }
    }

    /// The frame a sender acting at `version` writes for `message`, or why it refuses (E1, E2).
    public static func encode(_ message: Message, schema: Schema, at version: Int) -> Result<[UInt8], EncodeError> {
        do throws(EncodeError) {
            return .success(try Codec(schema: schema).encode(message, at: version))
        } catch {
            return .failure(error)
        }
    }
}
