// The optional ZMTP 3.x part of the generated dissector (`--port N`): live TCP captures of a
// ZeroMQ connection carry the SBE frames inside ZMTP frames, after a 64-byte greeting and
// command frames (READY). It reassembles across TCP segments and hands each message frame's
// body to the SBE dissector. The port is a Wireshark preference, so it can be changed there.

enum DissectorZMTP {
    static func lua(port: Int) -> String {
        "local ZMTP_PORT = \(port)\n" + body
    }

    private static let body = #"""
        local Z = Proto(NAME .. "_zmtp", TITLE .. " over ZMTP 3")
        local ZF = {
          greeting = ProtoField.bytes(NAME .. "_zmtp.greeting", "Greeting"),
          flags = ProtoField.uint8(NAME .. "_zmtp.flags", "Flags", base.HEX),
          size = ProtoField.uint64(NAME .. "_zmtp.size", "Size"),
          command = ProtoField.bytes(NAME .. "_zmtp.command", "Command"),
        }
        Z.fields = {ZF.greeting, ZF.flags, ZF.size, ZF.command}
        Z.prefs.port = Pref.uint("TCP port", ZMTP_PORT, "The TCP port whose ZeroMQ traffic carries the SBE frames")
        local zmtpPort = 0
        local function registerPort()
          local tcp = DissectorTable.get("tcp.port")
          if zmtpPort ~= 0 then tcp:remove(zmtpPort, Z) end
          zmtpPort = Z.prefs.port
          if zmtpPort ~= 0 then tcp:add(zmtpPort, Z) end
        end
        function Z.prefs_changed() registerPort() end

        -- Asks TCP for `more` bytes beyond the `rest` at `off` (the frame continues in the next segment).
        local function more(pinfo, off, needed)
          pinfo.desegment_offset = off
          pinfo.desegment_len = needed
        end

        function Z.dissector(tvb, pinfo, tree)
          local len, off = tvb:len(), 0
          pinfo.cols.protocol = "ZMTP"
          while off < len do
            local rest = len - off
            local flags = tvb(off, 1):uint()
            if flags == 0xFF then
              -- The greeting: signature (0xFF, 8 bytes, 0x7F), version, mechanism, as-server, filler.
              if rest < 64 then more(pinfo, off, 64 - rest) return len end
              tree:add(Z, tvb(off, 64)):add(ZF.greeting, tvb(off, 64))
              off = off + 64
            else
              local long = bit32.band(flags, 2) ~= 0
              local headerSize = long and 9 or 2
              if rest < headerSize then more(pinfo, off, headerSize - rest) return len end
              local size
              if long then size = tvb(off + 1, 8):uint64():tonumber() else size = tvb(off + 1, 1):uint() end
              if rest < headerSize + size then more(pinfo, off, headerSize + size - rest) return len end
              local item = tree:add(Z, tvb(off, headerSize + size))
              item:add(ZF.flags, tvb(off, 1))
              item:add(ZF.size, tvb(off + 1, headerSize - 1), UInt64.new(size))
              if bit32.band(flags, 4) ~= 0 then
                if size > 0 then item:add(ZF.command, tvb(off + headerSize, size)) end
                item:append_text(" (command)")
              elseif size > 0 then
                P.dissector(tvb(off + headerSize, size):tvb(), pinfo, tree)
              end
              off = off + headerSize + size
            end
          end
          return len
        end
        -- Only a protocol with a dissector can be added to the port table.
        registerPort()
        """#
}
