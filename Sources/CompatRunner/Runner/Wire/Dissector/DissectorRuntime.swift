// The fixed half of the generated dissector: Lua that walks a frame by the schema's tables
// (DissectorTables) the way compat's decoder does (docs/PROTOCOL.md R1–R11), adding one tree item
// per field and an expert info where a receiver would refuse the frame. Every read is bounded
// first, so no bytes make it raise a Lua error; a pcall still turns an unforeseen one into an
// expert info (NAME.bug) that `compat dissector verify` counts as a mismatch.

enum DissectorRuntime {
    static let lua = #"""
        local EX = {
          r2 = ProtoExpert.new(NAME .. ".r2", "R2 bytes beyond the known fields skipped", expert.group.PROTOCOL, expert.severity.NOTE),
          r5 = ProtoExpert.new(NAME .. ".r5", "R5 unknown template", expert.group.UNDECODED, expert.severity.ERROR),
          r7 = ProtoExpert.new(NAME .. ".r7", "R7 bad value", expert.group.PROTOCOL, expert.severity.ERROR),
          r8 = ProtoExpert.new(NAME .. ".r8", "R8 malformed", expert.group.MALFORMED, expert.severity.ERROR),
          r10 = ProtoExpert.new(NAME .. ".r10", "R10 newer version read as the newest known", expert.group.PROTOCOL, expert.severity.NOTE),
          bug = ProtoExpert.new(NAME .. ".bug", "dissector error", expert.group.UNDECODED, expert.severity.ERROR),
        }
        local HF = {
          header = ProtoField.none(NAME .. ".header", "Header"),
          blockLength = ProtoField["uint" .. HDR.bl.sz * 8](NAME .. ".header.blockLength", "blockLength"),
          templateId = ProtoField["uint" .. HDR.tid.sz * 8](NAME .. ".header.templateId", "templateId"),
          schemaId = ProtoField["uint" .. HDR.sid.sz * 8](NAME .. ".header.schemaId", "schemaId"),
          version = ProtoField["uint" .. HDR.ver.sz * 8](NAME .. ".header.version", "version"),
          message = ProtoField.string(NAME .. ".message", "Message"),
        }
        local all = {}
        for _, f in pairs(HF) do all[#all + 1] = f end
        for _, f in ipairs(F) do all[#all + 1] = f end
        P.fields = all
        P.experts = {EX.r2, EX.r5, EX.r7, EX.r8, EX.r10, EX.bug}

        -- A value of sz bytes at off: a number up to 4 bytes, UInt64/Int64 for 5 to 8, a double for "f".
        local function rd(tvb, off, sz, t)
          local r = tvb(off, sz)
          if t == "f" then if LE then return r:le_float() else return r:float() end end
          if sz > 4 then
            if t == "i" then if LE then return r:le_int64() else return r:int64() end end
            if LE then return r:le_uint64() else return r:uint64() end
          end
          if t == "i" then if LE then return r:le_int() else return r:int() end end
          if LE then return r:le_uint() else return r:uint() end
        end

        -- An unsigned value as a Lua number, for lengths and counts (exact up to 2^53).
        local function rdn(tvb, off, sz)
          local v = rd(tvb, off, sz, "u")
          if sz > 4 then return v:tonumber() end
          return v
        end

        -- A range that may be empty at the very end of the frame.
        local function rng(tvb, off, len)
          if len == 0 then return tvb(math.min(off, tvb:len()), 0) end
          return tvb(off, len)
        end

        local function tvb_range(st, off, len) return rng(st.tvb, off, len) end

        local function fail(st, item, rule, text)
          item:add_proto_expert_info(EX[rule], text)
          st.why = " [" .. string.upper(rule) .. ": " .. text .. "]"
          st.pinfo.cols.info:append(st.why)
          st.refused = rule
          return false
        end

        local function isnull(it, v)
          if it.nullnum ~= nil then return v == it.nullnum end
          if it.null == nil then return false end
          if it.null == "nan" then return v ~= v end
          return tostring(v) == it.null
        end

        local function shown(v, t)
          if t == "f" then return string.format("%.17g", v) end
          return tostring(v)
        end

        -- W1/R7 for any length: printable ASCII up to the first NUL, only NULs after it.
        -- Returns the text, or nil and the index (from 0) of the first byte that breaks the rule.
        local function chars(s)
          local n = #s
          for i = 1, #s do
            if s:byte(i) == 0 then n = i - 1 break end
          end
          for i = 1, n do
            local b = s:byte(i)
            if b < 0x20 or b > 0x7E then return nil, i - 1 end
          end
          for i = n + 1, #s do
            if s:byte(i) ~= 0 then return nil, i - 1 end
          end
          return s:sub(1, n)
        end

        -- Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
        local function utf8ok(s)
          local i, n = 1, #s
          while i <= n do
            local c = s:byte(i)
            if c < 0x80 then
              i = i + 1
            else
              local len, least
              if c >= 0xC2 and c <= 0xDF then len, least = 2, 0x80
              elseif c >= 0xE0 and c <= 0xEF then len, least = 3, 0x800
              elseif c >= 0xF0 and c <= 0xF4 then len, least = 4, 0x10000
              else return false end
              if i + len - 1 > n then return false end
              local cp = c % (2 ^ (7 - len))
              for j = i + 1, i + len - 1 do
                local b = s:byte(j)
                if b < 0x80 or b > 0xBF then return false end
                cp = cp * 64 + (b - 0x80)
              end
              if cp < least or cp > 0x10FFFF or (cp >= 0xD800 and cp <= 0xDFFF) then return false end
              i = i + len
            end
          end
          return true
        end

        -- Text as tshark can show it whole: a control byte (a NUL would end the string) as \xHH,
        -- a backslash doubled.
        local function escaped(s)
          return (s:gsub("[%c\\]", function(c)
            if c == "\\" then return "\\\\" end
            return string.format("\\x%02x", c:byte())
          end))
        end

        local function bitset(v, b)
          return v:rshift(b):band(UInt64.new(1)) == UInt64.new(1)
        end

        local function addnull(tree, it, r)
          tree:add(F[it.n], r, "null")
          return true
        end

        local function note(st, it, text)
          if st.top and #st.info < 3 then st.info[#st.info + 1] = it.name .. "=" .. text end
        end

        local function enum(st, tree, it, off)
          local r = tvb_range(st, off, it.sz)
          local v = rd(st.tvb, off, it.sz, "u")
          if isnull(it, v) then return addnull(tree, it, r) end
          local item = tree:add(F[it.f], r, v)
          local e = it.vals[tostring(v)]
          if e == nil or e[2] > st.ver then
            return fail(st, item, "r7", string.format("%s: %s is not a value of the enum at version %d", it.name, tostring(v), st.ver))
          end
          item:append_text(" (" .. e[1] .. ")")
          note(st, it, e[1])
          return true
        end

        local function set(st, tree, it, off)
          local r = tvb_range(st, off, it.sz)
          local v = LE and r:le_uint64() or r:uint64()
          local item = tree:add(F[it.f], r, it.sz > 4 and v or v:tonumber())
          local names, unknown = {}, {}
          for b = 0, it.sz * 8 - 1 do
            if bitset(v, b) then
              local known = false
              for _, c in ipairs(it.bits) do
                if c.bit == b and c.since <= st.ver then known = true names[#names + 1] = c.name end
              end
              if not known then unknown[#unknown + 1] = tostring(b) end
            end
          end
          if #unknown > 0 then
            return fail(st, item, "r7", string.format("%s: bits %s are no choice at version %d", it.name, table.concat(unknown, ", "), st.ver))
          end
          item:append_text(" (" .. table.concat(names, ", ") .. ")")
          return true
        end

        local function text(st, tree, it, off)
          local r = tvb_range(st, off, it.sz)
          local s, bad = chars(st.tvb:raw(off, it.sz))
          if s == nil then
            return fail(st, tree, "r7", string.format("%s: byte %d of the characters is not printable ASCII or padding", it.name, bad))
          end
          if it.null ~= nil and s == it.null then return addnull(tree, it, r) end
          tree:add(F[it.f], r, s)
          note(st, it, s)
          return true
        end

        local function array(st, tree, it, off)
          local r = tvb_range(st, off, it.sz * it.count)
          local parts, nulls = {}, 0
          for i = 0, it.count - 1 do
            local v = rd(st.tvb, off + i * it.sz, it.sz, it.t)
            if isnull(it, v) then parts[#parts + 1] = "null" nulls = nulls + 1 else parts[#parts + 1] = shown(v, it.t) end
          end
          if it.count > 0 and nulls == it.count and it.n ~= nil then return addnull(tree, it, r) end
          tree:add(F[it.f], r, table.concat(parts, ", "))
          return true
        end

        local field

        local function composite(st, tree, it, off)
          local node = tree:add(F[it.f], tvb_range(st, off, it.sz))
          local top = st.top
          st.top = false
          for _, m in ipairs(it.members) do
            if not field(st, node, m, off) then return false end
          end
          st.top = top
          return true
        end

        field = function(st, tree, it, base)
          local off = base + it.off
          if it.k == "const" then
            local item
            if it.cv == nil then item = tree:add(F[it.f], rng(st.tvb, off, 0)) else item = tree:add(F[it.f], rng(st.tvb, off, 0), it.cv) end
            item:set_generated()
            return true
          end
          if it.k == "comp" then return composite(st, tree, it, off) end
          if it.k == "enum" then return enum(st, tree, it, off) end
          if it.k == "set" then return set(st, tree, it, off) end
          if it.k == "chars" then return text(st, tree, it, off) end
          if it.k == "arr" then return array(st, tree, it, off) end
          if it.wide ~= nil and it.wide.since <= st.ver then
            -- W7: the logical field, carried whole by the wide one from its version on.
            local v = rd(st.tvb, base + it.wide.off, it.wide.sz, "u")
            tree:add(F[it.f], tvb_range(st, base + it.wide.off, it.wide.sz), v)
            note(st, it, tostring(v))
            return true
          end
          local r = tvb_range(st, off, it.sz)
          local v = rd(st.tvb, off, it.sz, it.t)
          if isnull(it, v) then return addnull(tree, it, r) end
          if it.wide ~= nil and it.sz <= 4 then v = UInt64.new(v) end
          tree:add(F[it.f], r, v)
          note(st, it, shown(v, it.t))
          return true
        end
        """#
}
