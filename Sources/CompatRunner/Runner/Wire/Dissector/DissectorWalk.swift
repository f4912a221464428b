// The frame walk of the generated dissector, in the decoder's order (R11): size, header,
// schemaId, template (R5), block length, the block's fields, then groups and var-data in wire
// order (R2–R4, R8). The receiver it plays is one of the frame's own version (capped at the
// newest the schema has, R10): enum values and set choices are judged by that version.

enum DissectorWalk {
    static let lua = #"""
        local block

        local function group(st, tree, g, pos)
          local tvb, len = st.tvb, st.tvb:len()
          if len - pos < g.dim.sz then
            return fail(st, tree, "r8", string.format("group %s: its dimension needs %d bytes but the frame has %d left", g.name, g.dim.sz, len - pos))
          end
          local start = pos
          local bl = rdn(tvb, pos + g.dim.bl.off, g.dim.bl.sz)
          local count = rdn(tvb, pos + g.dim.num.off, g.dim.num.sz)
          local node = tree:add(F[g.f], tvb(pos, g.dim.sz))
          node:append_text(string.format(" (%d entries of %d bytes)", count, bl))
          local most = math.min(MAX_ENTRIES, g.max)
          if count > most then
            return fail(st, node, "r8", string.format("group %s: numInGroup %d is above the maximum %d", g.name, count, most))
          end
          local required = g.bl[st.ver]
          if bl < required then
            return fail(st, node, "r8", string.format("group %s: entry blockLength %d is below the %d bytes version %d defines", g.name, bl, required, st.ver))
          end
          pos = pos + g.dim.sz
          if bl * count > len - pos then
            return fail(st, node, "r8", string.format("group %s: %d entries of %d bytes but the frame has %d left", g.name, count, bl, len - pos))
          end
          if bl > required then node:add_proto_expert_info(EX.r2, string.format("group %s: %d bytes of each entry beyond the known fields", g.name, bl - required)) end
          for i = 1, count do
            if not g.flat and len - pos < bl then
              return fail(st, node, "r8", string.format("group %s: entry %d needs %d bytes but the frame has %d left", g.name, i - 1, bl, len - pos))
            end
            local entry = node:add(F[g.e], rng(tvb, pos, bl))
            entry:append_text(string.format(" [%d]", i - 1))
            local base = pos
            local ok
            ok, pos = block(st, entry, g.items, base, pos + bl)
            if not ok then return false end
            entry:set_len(pos - base)
          end
          node:set_len(pos - start)
          return true, pos
        end

        local function vardata(st, tree, it, pos)
          local tvb, len = st.tvb, st.tvb:len()
          local lenEnd = it.len.off + it.len.sz
          if len - pos < lenEnd then
            return fail(st, tree, "r8", string.format("var-data %s: its length needs %d bytes but the frame has %d left", it.name, lenEnd, len - pos))
          end
          local raw = rd(tvb, pos + it.len.off, it.len.sz, "u")
          local n = rdn(tvb, pos + it.len.off, it.len.sz)
          local most = math.min(MAX_VAR, it.max)
          if n > most then
            return fail(st, tree, "r8", string.format("var-data %s: length %d is above the maximum %d", it.name, n, most))
          end
          local start = pos + it.data
          if len - start < n then
            return fail(st, tree, "r8", string.format("var-data %s: needs %d bytes but the frame has %d left", it.name, n, math.max(0, len - start)))
          end
          local s = ""
          if n > 0 then s = tvb:raw(start, n) end
          if it.text and not utf8ok(s) then
            return fail(st, tree, "r7", string.format("var-data %s is not valid UTF-8", it.name))
          end
          local item
          if it.text then item = tree:add(F[it.f], rng(tvb, start, n), escaped(s)) else item = tree:add(F[it.f], rng(tvb, start, n)) end
          item:add(F[it.l], tvb(pos + it.len.off, it.len.sz), raw)
          if it.text and st.top then note(st, it, s) end
          return true, start + n
        end

        -- The fields of a block at base, then its groups and var-data from pos; returns ok and
        -- the position past them. An item newer than the frame's version is not on the wire.
        block = function(st, tree, items, base, pos)
          for _, it in ipairs(items) do
            if it.since <= st.ver then
              local ok = true
              if it.k == "group" then
                local top = st.top
                st.top = false
                ok, pos = group(st, tree, it, pos)
                st.top = top
              elseif it.k == "var" then
                ok, pos = vardata(st, tree, it, pos)
              else
                ok = field(st, tree, it, base)
              end
              if not ok then return false end
            end
          end
          return true, pos
        end

        local function header(st, root)
          local tvb = st.tvb
          local h = root:add(HF.header, tvb(0, HDR.size))
          local values = {}
          for _, key in ipairs({"blockLength", "templateId", "schemaId", "version"}) do
            local s = HDR[({blockLength = "bl", templateId = "tid", schemaId = "sid", version = "ver"})[key]]
            h:add(HF[key], tvb(s.off, s.sz), rd(tvb, s.off, s.sz, "u"))
            values[key] = rdn(tvb, s.off, s.sz)
          end
          return h, values
        end

        local function dissect(st, root)
          local tvb, len = st.tvb, st.tvb:len()
          if len > MAX_FRAME then
            return fail(st, root, "r8", string.format("frame of %d bytes is larger than the maximum %d", len, MAX_FRAME))
          end
          if len < HDR.size then
            return fail(st, root, "r8", string.format("frame of %d bytes is shorter than the %d-byte header", len, HDR.size))
          end
          local h, hv = header(st, root)
          if hv.schemaId ~= SCHEMA_ID then
            return fail(st, h, "r8", string.format("schemaId is %d, expected %d", hv.schemaId, SCHEMA_ID))
          end
          st.ver = math.min(hv.version, NEWEST)
          local m = MSG[hv.templateId]
          if m == nil or m.since > st.ver then
            st.pinfo.cols.info = string.format("unknown template %d", hv.templateId)
            return fail(st, h, "r5", string.format("unknown templateId %d at version %d", hv.templateId, st.ver))
          end
          st.pinfo.cols.info = m.name
          if hv.version > NEWEST then
            h:add_proto_expert_info(EX.r10, string.format("version %d is newer than %d: read as %d", hv.version, NEWEST, NEWEST))
          end
          local required = m.bl[st.ver]
          if hv.blockLength < required then
            return fail(st, h, "r8", string.format("blockLength %d is below the %d bytes version %d defines", hv.blockLength, required, st.ver))
          end
          if len - HDR.size < hv.blockLength then
            return fail(st, h, "r8", string.format("needs %d bytes but the frame has %d left", hv.blockLength, len - HDR.size))
          end
          local msg = root:add(HF.message, rng(tvb, HDR.size, len - HDR.size), escaped(m.name))
          if hv.blockLength > required then
            msg:add_proto_expert_info(EX.r2, string.format("%d bytes beyond the known fields", hv.blockLength - required))
          end
          st.top = true
          local ok = block(st, msg, m.items, HDR.size, HDR.size + hv.blockLength)
          local info = m.name
          if #st.info > 0 then info = info .. " " .. table.concat(st.info, " ") end
          st.pinfo.cols.info = info .. (st.why or "")
          return ok
        end

        function P.dissector(tvb, pinfo, tree)
          pinfo.cols.protocol = TITLE
          local root = tree:add(P, tvb())
          local st = {tvb = tvb, pinfo = pinfo, info = {}, top = false, ver = NEWEST}
          local ok, err = pcall(dissect, st, root)
          if not ok then root:add_proto_expert_info(EX.bug, tostring(err)) end
          return tvb:len()
        end
        """#
}
