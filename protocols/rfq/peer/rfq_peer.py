#!/usr/bin/env python3
"""A peer of a plain-SBE protocol (session profile `sbe`) for the compat harness.

Written from docs/PEER-CONTRACT.md, docs/PROTOCOL.md, docs/SBE-SCHEMAS.md and README.md alone,
to show that the harness's contract is language-neutral. Rule ids in comments (P7, SB3, R8, E2…)
are those documents'. Where they are silent or unclear, the choice made is listed in
DOC-NOTES.md beside this file.

    python3 rfq_peer.py --version N --role client|gateway [--schema FILE]

It reads the SBE XML schema (default: ../rfq.xml) and its NAME.profile.json sidecar when it
starts, plays version N of it in one role, keeps the JSON-lines contract on stdin/stdout, and
carries frames over ZeroMQ (gateway: ROUTER bound; client: DEALER connected; one frame each).
"""

import argparse
import json
import math
import os
import re
import stat
import struct
import sys
import time
import xml.etree.ElementTree as ET

import zmq

IMPLEMENTATION = "compat-python"
CONTRACT = 3
MAX_LINE = 8 << 20          # a longer stdin line is answered with `error` and dropped
XINCLUDE_DEPTH = 8


class SchemaError(Exception):
    """The schema or profile cannot be read (exit 2)."""


class Refusal(Exception):
    """A `send` the sender refuses (E2/SB5): nothing goes on the wire."""

    def __init__(self, reason, detail):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class Rejection(Exception):
    """An inbound frame refused by SB3 (Malformed, UnknownTemplate or InvalidValue)."""

    def __init__(self, code, detail):
        super().__init__(detail)
        self.code, self.detail = code, detail


def invalid(detail):
    return Refusal("InvalidValue", detail)


# ---------------------------------------------------------------------------------------------
# Schema model
# ---------------------------------------------------------------------------------------------

class Prim:
    """An SBE primitive type with its standard range and null value."""

    def __init__(self, name, code, size, signed=False, isfloat=False):
        self.name, self.code, self.size, self.isfloat = name, code, size, isfloat
        if isfloat:
            self.lo, self.hi, self.null = -math.inf, math.inf, math.nan
        elif signed:
            self.lo, self.hi = -(1 << (8 * size - 1)), (1 << (8 * size - 1)) - 1
            self.null = self.lo
        else:
            self.lo, self.hi = 0, (1 << (8 * size)) - 1
            self.null = 0 if name == "char" else self.hi


PRIMS = {p.name: p for p in [
    Prim("char", "B", 1), Prim("int8", "b", 1, True), Prim("uint8", "B", 1),
    Prim("int16", "h", 2, True), Prim("uint16", "H", 2), Prim("int32", "i", 4, True),
    Prim("uint32", "I", 4), Prim("int64", "q", 8, True), Prim("uint64", "Q", 8),
    Prim("float", "f", 4, isfloat=True), Prim("double", "d", 8, isfloat=True)]}


class Scalar:
    """A primitive, a char array (text) or a fixed array of another primitive."""
    kind = "scalar"

    def __init__(self, prim, length=1, presence="required", null=None, lo=None, hi=None,
                 const=None, encoding=None):
        self.prim, self.length, self.presence = prim, length, presence
        self.text = prim.name == "char"
        self.null = prim.null if null is None else null
        self.lo, self.hi, self.const, self.encoding = lo, hi, const, encoding
        self.size = 0 if presence == "constant" else prim.size * length


class Enum:
    kind = "enum"

    def __init__(self, name, prim, null, values):
        self.name, self.prim, self.null, self.values = name, prim, null, values  # (name, raw, since)
        self.by_name = {n: (raw, s) for n, raw, s in values}
        self.by_raw = {raw: (n, s) for n, raw, s in values}
        self.size, self.presence, self.default = prim.size, "required", values[0][0] if values else None


class BitSet:
    kind = "set"

    def __init__(self, name, prim, choices):
        self.name, self.prim, self.choices = name, prim, choices          # (name, bit, since)
        self.by_name = {n: (b, s) for n, b, s in choices}
        self.by_bit = {b: (n, s) for n, b, s in choices}
        self.size, self.presence = prim.size, "required"


class Composite:
    kind = "composite"

    def __init__(self, name, members):
        self.name, self.members, self.presence = name, members, "required"
        self.size = max((m.offset + m.size for m in members), default=0)

    def member(self, name):
        return next((m for m in self.members if m.name == name), None)


class Slot:
    """A field of a block or a member of a composite: a type at an offset, with its since."""

    def __init__(self, name, t, offset, since, presence, const_raw=None, const_json=None):
        self.name, self.t, self.offset, self.since = name, t, offset, since
        self.presence, self.const_raw, self.const_json = presence, const_raw, const_json
        self.optional = presence == "optional"
        self.constant = presence == "constant"
        self.size = 0 if self.constant else t.size


class Group:
    def __init__(self, name, since, dim, entry, max_n):
        self.name, self.since, self.dim, self.entry, self.max_n = name, since, dim, entry, max_n
        self.bl, self.num = dim.member("blockLength"), dim.member("numInGroup")


class Data:
    def __init__(self, name, since, length, text, encoding, max_len):
        self.name, self.since, self.length = name, since, length      # length: Prim
        self.text, self.encoding, self.max_len = text, encoding, max_len


class Block:
    """A message's root block, or a group entry: fields, then groups, then var-data."""

    def __init__(self, name, since, fields, groups, datas, length_attr):
        self.name, self.since = name, since
        self.fields, self.groups, self.datas = fields, groups, datas
        self.length_attr = length_attr
        self.wire_fields = sorted((f for f in fields if not f.constant), key=lambda f: f.offset)
        self.widen = {}             # narrow field name -> wide Slot (profile `widenings`)
        self.hidden = set()         # wide field names, never shown in JSON (like W7's quantityLong)

    def length(self, v):
        """Block length at version v (W3): the end of the fields v has; the declared blockLength
        once every field is there."""
        sized = [f for f in self.fields if f.size]
        have = [f for f in sized if f.since <= v]
        end = max((f.offset + f.size for f in have), default=0)
        if len(have) == len(sized) and self.length_attr:
            end = max(end, self.length_attr)
        return end

    def names(self):
        return ([f.name for f in self.fields if f.name not in self.hidden]
                + [g.name for g in self.groups] + [d.name for d in self.datas])


class Message:
    def __init__(self, name, tid, since, block):
        self.name, self.id, self.since, self.block = name, tid, since, block


# ---------------------------------------------------------------------------------------------
# Reading the schema (SBE-SCHEMAS.md)
# ---------------------------------------------------------------------------------------------

def local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_number(text, prim, what):
    """A value written in the schema (nullValue, min/maxValue, a constant, a validValue)."""
    text = (text or "").strip()
    try:
        if prim.isfloat:
            return float(text)
        if prim.name == "char" and len(text) == 1 and not text.isdigit():
            return ord(text)
        return int(text, 0) if text.lower().startswith(("0x", "-0x")) else int(text)
    except ValueError:
        raise SchemaError(f"{what}: {text!r} is not a {prim.name} value")


def load_xml(path, depth=0):
    with open(path, "rb") as f:
        raw = f.read(16 << 20)
    if b"<!DOCTYPE" in raw:
        raise SchemaError(f"{path}: a DOCTYPE is not supported")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as e:
        raise SchemaError(f"{path}: {e}")
    # xi:include of a file of the same folder, up to 8 deep: the included root takes its place.
    for parent in list(root.iter()):
        for i, child in enumerate(list(parent)):
            if local(child.tag) == "include" and "XInclude" in child.tag:
                if depth >= XINCLUDE_DEPTH:
                    raise SchemaError(f"{path}: xi:include nested deeper than {XINCLUDE_DEPTH}")
                href = child.get("href", "")
                if os.path.basename(href) != href or not href:
                    raise SchemaError(f"{path}: xi:include {href!r} is not a file of the same folder")
                parent[i] = load_xml(os.path.join(os.path.dirname(path), href), depth + 1)
    return root


PROFILE_KEYS = {"profile", "versions", "directions", "widenings", "enumDefaults", "absentValue",
                "limits"}


class Schema:
    def __init__(self, xml_path, profile_path=None):
        self.path = xml_path
        root = load_xml(xml_path)
        if local(root.tag) != "messageSchema":
            raise SchemaError(f"{xml_path}: the root element is <{local(root.tag)}>, not messageSchema")
        self.id = int(root.get("id", "0"))
        self.version = int(root.get("version", "0"))
        self.bo = ">" if root.get("byteOrder", "littleEndian") == "bigEndian" else "<"
        profile = self._read_profile(xml_path, profile_path)
        if profile.get("profile", "sbe") != "sbe":
            raise SchemaError(f"profile {profile.get('profile')!r}: this peer plays only the `sbe` profile")
        self.absent_null = profile.get("absentValue", "null") != "zero"
        self.enum_defaults = profile.get("enumDefaults", {})
        self.directions = profile.get("directions", {})

        # Versions: the profile's, else every version from the oldest to the schema's version,
        # the oldest being the lowest sinceVersion of a message or of anything it holds, an
        # element without sinceVersion counting as 0 (SBE-SCHEMAS.md, `versions`).
        if "versions" in profile:
            self.ranges = {int(k): (int(r[0]), int(r[1])) for k, r in profile["versions"].items()}
            self.oldest = min(self.ranges)
        else:
            held = [e for m in root.iter() if local(m.tag) == "message" and m is not root
                    for e in m.iter()]
            self.oldest = min((int(e.get("sinceVersion", "0")) for e in held), default=0)
            self.ranges = {v: (self.oldest, v) for v in range(self.oldest, self.version + 1)}

        self._raw_types = {}
        for types in (e for e in root if local(e.tag) == "types"):
            for t in types:
                if local(t.tag) in ("type", "composite", "enum", "set") and t.get("name"):
                    self._raw_types[t.get("name")] = t
        self._types, self._resolving = {}, set()

        header = self.named(root.get("headerType", "messageHeader"), "headerType")
        if not isinstance(header, Composite):
            raise SchemaError("the header type is not a composite")
        self.header = header
        self.hdr = {n: header.member(n) for n in ("blockLength", "templateId", "schemaId", "version")}
        if not all(self.hdr[n] for n in ("blockLength", "templateId", "version")):
            raise SchemaError("the header composite lacks blockLength, templateId or version")

        self.messages = []
        for m in root.iter():
            if local(m.tag) == "message" and m is not root:
                since = self._since(m, self.oldest)
                block = self._block(m, m.get("name"), since)
                self.messages.append(Message(m.get("name"), int(m.get("id")), since, block))
        self.by_name = {m.name: m for m in self.messages}
        self.by_id = {m.id: m for m in self.messages}

        for w in ([profile["widenings"]] if isinstance(profile.get("widenings"), dict)
                  else profile.get("widenings", [])):
            msg = self.by_name.get(w.get("message"))
            wide = next((f for f in msg.block.fields if f.name == w.get("field")), None) if msg else None
            if not wide or not any(f.name == w.get("widens") for f in msg.block.fields):
                raise SchemaError(f"profile widening {w!r} names no field of the schema")
            msg.block.widen[w["widens"]] = wide
            msg.block.hidden.add(wide.name)

        # Limits (SBE-SCHEMAS.md): the profile's, else what the schema allows. A var-data field's
        # or group's own maxValue is a per-field bound the encoder also keeps (E2).
        limits = profile.get("limits", {})
        self.max_frame = int(limits.get("maxFrameSize", 65535))
        all_datas, all_groups = [], []

        def walk(b):
            all_datas.extend(b.datas)
            for g in b.groups:
                all_groups.append(g)
                walk(g.entry)
        for m in self.messages:
            walk(m.block)
        self.max_var = int(limits.get("maxVarDataLength", max((d.max_len for d in all_datas), default=0)))
        self.max_entries = int(limits.get("maxGroupEntries", max((g.max_n for g in all_groups), default=0)))

    @staticmethod
    def _read_profile(xml_path, profile_path):
        if profile_path is None:
            base = xml_path[:-4] if xml_path.endswith(".xml") else xml_path
            profile_path = base + ".profile.json"
            if not os.path.exists(profile_path):
                return {}
        try:
            with open(profile_path, encoding="utf-8") as f:
                profile = json.load(f)
        except (OSError, ValueError) as e:
            raise SchemaError(f"{profile_path}: {e}")
        if not isinstance(profile, dict):
            raise SchemaError(f"{profile_path}: not a JSON object")
        unknown = set(profile) - PROFILE_KEYS
        if unknown:
            raise SchemaError(f"{profile_path}: unknown key {sorted(unknown)[0]!r}")
        return profile

    def _since(self, e, parent_since):
        # An element without sinceVersion belongs to the oldest version; nothing is older than
        # the element it sits in.
        sv = e.get("sinceVersion")
        return max(int(sv) if sv is not None else self.oldest, parent_since)

    # --- types ---

    def named(self, name, where):
        if name in PRIMS:
            return Scalar(PRIMS[name])
        if name in self._types:
            return self._types[name]
        e = self._raw_types.get(name)
        if e is None:
            raise SchemaError(f"{where}: unknown type {name!r}")
        if name in self._resolving:
            raise SchemaError(f"{where}: type {name!r} refers to itself")
        self._resolving.add(name)
        t = self._type(e)
        self._resolving.discard(name)
        self._types[name] = t
        return t

    def _prim_of(self, name, where):
        """An encodingType: a primitive name or a named type of one."""
        if name in PRIMS:
            return PRIMS[name], PRIMS[name].null
        t = self.named(name, where)
        if not isinstance(t, Scalar):
            raise SchemaError(f"{where}: encoding type {name!r} is not a primitive type")
        return t.prim, t.null

    def _type(self, e):
        kind, name = local(e.tag), e.get("name")
        if kind == "type":
            prim = PRIMS.get(e.get("primitiveType"))
            if prim is None:
                raise SchemaError(f"type {name}: unknown primitiveType {e.get('primitiveType')!r}")
            length = int(e.get("length", "1"))
            presence = e.get("presence", "required")
            num = lambda a: parse_number(e.get(a), prim, f"type {name} {a}") if e.get(a) is not None else None
            const = None
            if presence == "constant":
                text = e.text or ""
                const = text if prim.name == "char" else parse_number(text, prim, f"type {name}")
            return Scalar(prim, length, presence, num("nullValue"), num("minValue"), num("maxValue"),
                          const, e.get("characterEncoding"))
        if kind == "enum":
            prim, null = self._prim_of(e.get("encodingType", "uint8"), f"enum {name}")
            values = [(v.get("name"), parse_number(v.text, prim, f"enum {name}"), self._since(v, self.oldest))
                      for v in e if local(v.tag) == "validValue"]
            return Enum(name, prim, null, values)
        if kind == "set":
            prim, _ = self._prim_of(e.get("encodingType", "uint8"), f"set {name}")
            choices = [(c.get("name"), int(c.text.strip()), self._since(c, self.oldest))
                       for c in e if local(c.tag) == "choice"]
            return BitSet(name, prim, choices)
        if kind == "composite":
            members, offset = [], 0
            for m in e:
                mk = local(m.tag)
                if mk not in ("type", "composite", "enum", "set", "ref"):
                    continue
                t = self.named(m.get("type"), f"composite {name}") if mk == "ref" else self._type(m)
                if m.get("offset") is not None:
                    offset = int(m.get("offset"))
                presence = getattr(t, "presence", "required")
                const_raw = const_json = None
                if presence == "constant":
                    const_raw = t.const.encode("ascii", "replace") if t.text else t.const
                    const_json = t.const if t.text else to_json_int(t.prim, t.const)
                members.append(Slot(m.get("name"), t, offset, self._since(m, self.oldest),
                                    presence, const_raw, const_json))
                offset += members[-1].size
            return Composite(name, members)
        raise SchemaError(f"unsupported type element <{kind}>")

    # --- messages and groups ---

    def _block(self, e, name, since):
        fields, groups, datas, offset = [], [], [], 0
        for c in e:
            kind = local(c.tag)
            if kind == "field":
                fields.append(self._field(c, name, since, offset))
                offset = fields[-1].offset + fields[-1].size
            elif kind == "group":
                gs = self._since(c, since)
                dim = self.named(c.get("dimensionType", "groupSizeEncoding"), f"group {c.get('name')}")
                if not (isinstance(dim, Composite) and dim.member("blockLength") and dim.member("numInGroup")):
                    raise SchemaError(f"group {c.get('name')}: dimension type lacks blockLength or numInGroup")
                num = dim.member("numInGroup").t
                entry = self._block(c, f"{name}.{c.get('name')}", gs)
                groups.append(Group(c.get("name"), gs, dim, entry,
                                    num.hi if num.hi is not None else num.prim.hi))
            elif kind == "data":
                t = self.named(c.get("type"), f"data {c.get('name')}")
                ln = t.member("length") if isinstance(t, Composite) else None
                vd = t.member("varData") if isinstance(t, Composite) else None
                if ln is None or vd is None or ln.t.prim.name not in ("uint8", "uint16", "uint32"):
                    raise SchemaError(f"data {c.get('name')}: type needs a uint8/16/32 length and a varData")
                enc = vd.t.encoding if isinstance(vd.t, Scalar) else None
                datas.append(Data(c.get("name"), self._since(c, since), ln.t.prim, enc is not None, enc,
                                  ln.t.hi if ln.t.hi is not None else ln.t.prim.hi))
        bl = e.get("blockLength")
        return Block(name, since, fields, groups, datas, int(bl) if bl else None)

    def _field(self, c, owner, since, offset):
        fname = c.get("name")
        t = self.named(c.get("type"), f"{owner}.{fname}")
        if c.get("offset") is not None:
            offset = int(c.get("offset"))
        presence = c.get("presence") or getattr(t, "presence", "required")
        const_raw = const_json = None
        if presence == "constant":
            ref = c.get("valueRef")
            if ref:                                       # valueRef="Enum.Value"
                ename, _, vname = ref.partition(".")
                en = self.named(ename, f"{owner}.{fname} valueRef")
                if not isinstance(en, Enum) or vname not in en.by_name:
                    raise SchemaError(f"{owner}.{fname}: valueRef {ref!r} names no enum value")
                const_raw = en.by_name[vname][0]
                const_json = vname if isinstance(t, Enum) else to_json_int(t.prim, const_raw)
            elif isinstance(t, Scalar) and t.const is not None:
                const_raw = t.const.encode("ascii", "replace") if t.text else t.const
                const_json = t.const if t.text else to_json_int(t.prim, t.const)
            else:
                raise SchemaError(f"{owner}.{fname}: a constant field needs a valueRef or a constant type")
        return Slot(fname, t, offset, self._since(c, since), presence, const_raw, const_json)

    # --- versions ---

    def messages_of(self, v):
        return [m for m in self.messages if m.since <= v]


def to_json_int(prim, v):
    """P15: integers up to 32 bits are JSON numbers, 64-bit ones decimal strings."""
    if prim.isfloat:
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    return str(v) if prim.size == 8 else v


# ---------------------------------------------------------------------------------------------
# Codec
# ---------------------------------------------------------------------------------------------

class Codec:
    """Encodes at the peer's own version V (SB1, SB5/E2) and decodes any version (SB2, SB3)."""

    def __init__(self, schema, v):
        self.s, self.v, self.bo = schema, v, schema.bo

    # --- shared helpers ---

    def pack(self, prim, buf, pos, value):
        struct.pack_into(self.bo + prim.code, buf, pos, value)

    def unpack(self, prim, buf, pos):
        return struct.unpack_from(self.bo + prim.code, buf, pos)[0]

    def enum_default(self, t):
        name = self.s.enum_defaults.get(t.name, t.default)
        return t.by_name[name] if name in t.by_name else (t.null, 0)

    def absent_json(self, slot):
        """R1: a field (or composite member) the frame's version does not carry, by the profile's
        `absentValue` (SBE-SCHEMAS.md). Under `null`: null for a primitive, a char array, another
        array or an enum, required or optional; [] for a set; a composite member by member, a
        constant keeping its constant. Under `zero`: 0, "", the enum's default, [], and a
        composite member by member. (Var-data and groups: "" and [] under both, in dec_block.)"""
        t = slot.t
        if slot.constant:
            return slot.const_json
        if t.kind == "composite":
            return {m.name: self.absent_json(m) for m in t.members if m.since <= self.v}
        if t.kind == "set":
            return []
        if self.s.absent_null:
            return None
        if t.kind == "scalar":
            if t.text:
                return ""
            z = to_json_int(t.prim, 0.0 if t.prim.isfloat else 0)
            return z if t.length == 1 else [z] * t.length
        return self.s.enum_defaults.get(t.name, t.default)             # an enum

    # --- encoding, pass 1: what no version of the schema allows (InvalidValue) ---

    def norm_slot(self, slot, val, path):
        """Checks a JSON value against the whole schema; returns it normalised (None: null or
        not given)."""
        if val is None:
            return None
        if slot.constant:
            n = self.norm_type(slot.t, False, val, path)
            if n != slot.const_raw and not (isinstance(n, tuple) and n[0] == slot.const_raw):
                raise invalid(f"{path} is a constant ({slot.const_json!r}); {val!r} is not it")
            return None
        return self.norm_type(slot.t, slot.optional, val, path)

    def norm_type(self, t, optional, val, path):
        if t.kind == "scalar":
            if t.text:
                if not isinstance(val, str) or any(not 0x20 <= ord(ch) <= 0x7E for ch in val):
                    raise invalid(f"{path}: {val!r} is not printable ASCII text (W1)")
                if len(val) > t.length:
                    raise invalid(f"{path}: {len(val)} characters do not fit {t.length}")
                return val.encode("ascii")
            if t.length != 1:
                if not isinstance(val, list) or len(val) > t.length:
                    raise invalid(f"{path}: expected an array of at most {t.length} values")
                return [self.norm_prim(t, False, x, f"{path}[{i}]") for i, x in enumerate(val)]
            return self.norm_prim(t, optional, val, path)
        if t.kind == "enum":
            if not isinstance(val, str) or val not in t.by_name:
                raise invalid(f"{path}: {val!r} is not a value of enum {t.name}")
            return t.by_name[val]
        if t.kind == "set":
            if not isinstance(val, list):
                raise invalid(f"{path}: a set is an array of choice names")
            out = {}
            for x in val:
                if isinstance(x, str) and x in t.by_name:
                    bit, since = t.by_name[x]
                elif isinstance(x, int) and not isinstance(x, bool) and x in t.by_bit:
                    bit, since = x, t.by_bit[x][1]
                else:
                    raise invalid(f"{path}: {x!r} is not a choice of set {t.name}")
                out[bit] = since
            return sorted(out.items())
        if not isinstance(val, dict):
            raise invalid(f"{path}: composite {t.name} is a JSON object of its members")
        for k in val:
            if t.member(k) is None:
                raise invalid(f"{path}: composite {t.name} has no member {k!r}")
        return {m.name: self.norm_slot(m, val.get(m.name), f"{path}.{m.name}") for m in t.members}

    def norm_prim(self, t, optional, val, path):
        p = t.prim
        if p.isfloat:
            if isinstance(val, str) and val in ("nan", "inf", "-inf"):
                x = float(val)
            elif isinstance(val, (int, float)) and not isinstance(val, bool):
                x = float(val)
            else:
                raise invalid(f"{path}: {val!r} is not a {p.name}")
            if p.name == "float" and math.isfinite(x):
                try:
                    struct.pack("<f", x)
                except OverflowError:
                    raise invalid(f"{path}: {val!r} does not fit a float")
        else:
            if isinstance(val, int) and not isinstance(val, bool):
                x = val
            elif isinstance(val, str) and re.fullmatch(r"-?[0-9]{1,20}", val):
                x = int(val)
            else:
                raise invalid(f"{path}: {val!r} is not an integer")
            if not p.lo <= x <= p.hi:
                raise invalid(f"{path}: {x} does not fit {p.name}")
            if optional and x == t.null:
                raise invalid(f"{path}: {x} is the null value of an optional field; give null")
        if (t.lo is not None and x < t.lo) or (t.hi is not None and x > t.hi):
            raise invalid(f"{path}: {val} is outside minValue..maxValue {t.lo}..{t.hi}")
        return x

    def norm_block(self, block, obj, path):
        if obj is None:
            obj = {}
        if not isinstance(obj, dict):
            raise invalid(f"{path}: fields must be a JSON object")
        known = set(block.names())
        for k in obj:
            if k not in known:
                raise invalid(f"{path}: the schema has no field {k!r} in {block.name} (in any version)")
        out = {}
        for f in block.fields:
            if f.name in block.hidden:
                continue
            wide = block.widen.get(f.name)
            out[f.name] = self.norm_slot(wide or f, obj.get(f.name), f"{path}.{f.name}")
        for g in block.groups:
            val = obj.get(g.name)
            if val is None:
                out[g.name] = None
                continue
            if not isinstance(val, list):
                raise invalid(f"{path}.{g.name}: a group is an array of objects")
            limit = min(g.max_n, self.s.max_entries)
            if len(val) > limit:
                raise invalid(f"{path}.{g.name}: {len(val)} entries, more than the limit {limit}")
            out[g.name] = [self.norm_block(g.entry, e, f"{path}.{g.name}[{i}]") for i, e in enumerate(val)]
        for d in block.datas:
            out[d.name] = self.norm_data(d, obj.get(d.name), f"{path}.{d.name}")
        return out

    def norm_data(self, d, val, path):
        if val is None:
            return None
        if not isinstance(val, str):
            raise invalid(f"{path}: var-data is a JSON string")
        if d.text:
            try:
                b = val.encode("ascii" if is_ascii(d.encoding) else "utf-8")
            except UnicodeEncodeError:
                raise invalid(f"{path}: text not representable in {d.encoding}")
        else:
            try:
                b = bytes.fromhex(val)
            except ValueError:
                raise invalid(f"{path}: binary var-data is hex")
        limit = min(d.max_len, self.s.max_var)
        if len(b) > limit:
            raise invalid(f"{path}: {len(b)} bytes, more than the limit {limit}")
        return b

    # --- encoding, pass 2: at V, in wire order (UnsupportedInVersion, NotRepresentable) ---

    def is_absent(self, slot, n):
        """Whether a normalised value is the field's absent value (SB5: a newer field at it is
        simply not written). The absent values are those R1 gives a receiver (SBE-SCHEMAS.md);
        besides, null (or leaving the field out) always counts as absent (DOC-NOTES 4, 5)."""
        if n is None:
            return True
        t = slot.t
        if t.kind == "composite":                     # member by member; a constant is always at it
            return all(self.is_absent(m, n.get(m.name)) for m in t.members)
        if t.kind == "set":                           # no choice, under both absentValues
            return n == []
        if self.s.absent_null:
            return False
        if t.kind == "scalar":
            if t.text:
                return n == b""
            return n == 0 if t.length == 1 else all(x == 0 for x in n)
        return n[0] == self.enum_default(t)[0]        # an enum

    def enc_slot(self, slot, n, buf, base, path):
        if slot.constant:
            return
        if slot.since > self.v:
            if not self.is_absent(slot, n):
                raise Refusal("NotRepresentable", f"{path} is new in version {slot.since}; version "
                                                  f"{self.v} cannot carry a value other than its absent one")
            return
        self.enc_type(slot.t, slot, n, buf, base + slot.offset, path)

    def enc_type(self, t, slot, n, buf, pos, path):
        if t.kind == "scalar":
            if t.text:
                buf[pos:pos + t.length] = (n or b"").ljust(t.length, b"\0")
            elif t.length != 1:
                for i, x in enumerate(n or []):
                    self.pack(t.prim, buf, pos + i * t.prim.size, x)
            else:
                self.pack(t.prim, buf, pos, n if n is not None else (t.null if slot.optional else 0))
        elif t.kind == "enum":
            if n is None:
                raw = t.null if slot.optional else self.enum_default(t)[0]
            else:
                raw, since = n
                if since > self.v:
                    raise Refusal("UnsupportedInVersion", f"{path}: {t.by_raw[raw][0]} is new in version "
                                                          f"{since}, above {self.v}")
            self.pack(t.prim, buf, pos, raw)
        elif t.kind == "set":
            mask = 0
            for bit, since in n or []:
                if since > self.v:
                    raise Refusal("UnsupportedInVersion", f"{path}: choice {t.by_bit[bit][0]} is new in "
                                                          f"version {since}, above {self.v}")
                mask |= 1 << bit
            self.pack(t.prim, buf, pos, mask)
        else:
            for m in t.members:
                self.enc_slot(m, n.get(m.name) if n else None, buf, pos, f"{path}.{m.name}")

    def enc_block(self, block, n, path):
        buf = bytearray(block.length(self.v))
        values = dict(n)
        for narrow, wide in block.widen.items():          # one logical value, two fields (W7)
            logical = values.get(narrow)
            nf = next(f for f in block.fields if f.name == narrow)
            if wide.since <= self.v:
                values[wide.name] = logical
                values[narrow] = None if logical is None else min(logical, nf.t.prim.hi)
            elif logical is not None and logical > nf.t.prim.hi:
                raise Refusal("NotRepresentable", f"{path}.{narrow}: {logical} needs {wide.name}, new in "
                                                  f"version {wide.since}")
        for f in block.wire_fields:
            self.enc_slot(f, values.get(f.name), buf, 0, f"{path}.{f.name}")
        for g in block.groups:
            entries = values.get(g.name) or []
            if g.since > self.v:
                if entries:
                    raise Refusal("NotRepresentable", f"{path}.{g.name} is new in version {g.since}")
                continue
            dim = bytearray(g.dim.size)
            self.pack(g.bl.t.prim, dim, g.bl.offset, g.entry.length(self.v))
            self.pack(g.num.t.prim, dim, g.num.offset, len(entries))
            buf += dim
            for i, e in enumerate(entries):
                buf += self.enc_block(g.entry, e, f"{path}.{g.name}[{i}]")
        for d in block.datas:
            b = values.get(d.name)
            if d.since > self.v:
                if not (b is None or b == b""):          # absent var-data is "" (and null)
                    raise Refusal("NotRepresentable", f"{path}.{d.name} is new in version {d.since}")
                continue
            b = b or b""
            ln = bytearray(d.length.size)
            self.pack(d.length, ln, 0, len(b))
            buf += ln + b
        return buf

    def encode(self, message):
        """The `send` command's message, encoded at V: the frame, or a Refusal (SB5)."""
        if not isinstance(message, dict):
            raise invalid("message must be a JSON object with type and fields")
        msg = self.s.by_name.get(message.get("type"))
        if msg is None:
            raise invalid(f"the schema has no message type {message.get('type')!r}")
        if msg.since > self.v:
            raise Refusal("UnsupportedInVersion", f"{msg.name} is new in version {msg.since}, above {self.v}")
        n = self.norm_block(msg.block, message.get("fields"), msg.name)
        body = self.enc_block(msg.block, n, msg.name)
        hdr = bytearray(self.s.header.size)
        h = self.s.hdr
        self.pack(h["blockLength"].t.prim, hdr, h["blockLength"].offset, msg.block.length(self.v))
        self.pack(h["templateId"].t.prim, hdr, h["templateId"].offset, msg.id)
        if h["schemaId"]:
            self.pack(h["schemaId"].t.prim, hdr, h["schemaId"].offset, self.s.id)
        self.pack(h["version"].t.prim, hdr, h["version"].offset, self.v)
        frame = bytes(hdr + body)
        if len(frame) > self.s.max_frame:
            raise invalid(f"the frame would be {len(frame)} bytes, above maxFrameSize {self.s.max_frame}")
        return frame

    # --- decoding (SB2, SB3) ---

    def decode(self, frame):
        """One inbound frame: (message JSON, header version), or a Rejection."""
        s, h = self.s, self.s.hdr
        if len(frame) < s.header.size:
            raise Rejection("Malformed", f"{len(frame)} bytes, shorter than the {s.header.size}-byte header")
        hv = self.unpack(h["version"].t.prim, frame, h["version"].offset)
        blen = self.unpack(h["blockLength"].t.prim, frame, h["blockLength"].offset)
        if len(frame) > s.max_frame:
            raise Rejection("Malformed", f"{len(frame)} bytes, above maxFrameSize {s.max_frame}")
        if h["schemaId"]:
            sid = self.unpack(h["schemaId"].t.prim, frame, h["schemaId"].offset)
            if sid != s.id:
                raise Rejection("Malformed", f"schemaId {sid}, not {s.id}")
        tid = self.unpack(h["templateId"].t.prim, frame, h["templateId"].offset)
        msg = s.by_id.get(tid)
        if msg is None or msg.since > self.v:
            raise Rejection("UnknownTemplate", f"templateId {tid} is not a message type of version {self.v}")
        if hv < msg.since:
            raise Rejection("Malformed", f"header version {hv} is below {msg.name}'s since {msg.since}")
        self.hv = hv
        obj, _ = self.dec_block(msg.block, frame, s.header.size, blen, msg.name)
        return {"type": msg.name, "fields": obj}, hv

    def dec_block(self, block, buf, pos, blen, path):
        hv, v = self.hv, self.v
        need = block.length(min(hv, v))
        if blen < need:
            raise Rejection("Malformed", f"{path}: blockLength {blen} is below {need}, the block at "
                                         f"version {min(hv, v)} (offset {pos})")
        if pos + blen > len(buf):
            raise Rejection("Malformed", f"{path}: frame ends before the {blen}-byte block at offset {pos}")
        vals = {}
        for f in block.wire_fields:
            if f.since <= v:
                vals[f.name] = self.dec_slot(f, buf, pos, f"{path}.{f.name}")
        for f in block.fields:
            if f.constant and f.since <= v:
                vals[f.name] = f.const_json
        for narrow, wide in block.widen.items():          # report the logical value (W7, P12)
            if narrow in vals:
                x = vals.pop(wide.name, None)
                logical = x if wide.since <= hv and x is not None else vals[narrow]
                vals[narrow] = None if logical is None else to_json_int(wide.t.prim, int(logical))
            vals.pop(wide.name, None)
        pos += blen
        for g in block.groups:
            if g.since > v:
                break                                     # unknown to this version: only at the end (V3)
            if g.since > hv:
                vals[g.name] = []
                continue
            gp = f"{path}.{g.name}"
            if pos + g.dim.size > len(buf):
                raise Rejection("Malformed", f"{gp}: frame ends in the group header at offset {pos}")
            bl = self.unpack(g.bl.t.prim, buf, pos + g.bl.offset)
            num = self.unpack(g.num.t.prim, buf, pos + g.num.offset)
            need = g.entry.length(min(hv, v))
            if bl < need:
                raise Rejection("Malformed", f"{gp}: blockLength {bl} is below the entry's {need} at offset {pos}")
            limit = min(g.max_n, self.s.max_entries)
            if num > limit:
                raise Rejection("Malformed", f"{gp}: {num} entries, above the limit {limit} at offset {pos}")
            pos += g.dim.size
            if pos + num * bl > len(buf):
                raise Rejection("Malformed", f"{gp}: {num} entries of {bl} bytes do not fit the frame")
            entries = []
            for i in range(num):
                e, pos = self.dec_block(g.entry, buf, pos, bl, f"{gp}[{i}]")
                entries.append(e)
            vals[g.name] = entries
        for d in block.datas:
            if d.since > v:
                break                                     # var-data this version does not know (R4)
            if d.since > hv:
                vals[d.name] = ""                         # R1: absent var-data is empty, under both
                continue
            dp = f"{path}.{d.name}"
            if pos + d.length.size > len(buf):
                raise Rejection("Malformed", f"{dp}: frame ends in the length at offset {pos}")
            n = self.unpack(d.length, buf, pos)
            limit = self.s.max_var                        # decoders do not check maxValue
            if n > limit:
                raise Rejection("Malformed", f"{dp}: length {n} above the limit {limit} at offset {pos}")
            pos += d.length.size
            if pos + n > len(buf):
                raise Rejection("Malformed", f"{dp}: {n} bytes announced, {len(buf) - pos} left at offset {pos}")
            raw = bytes(buf[pos:pos + n])
            if d.text:
                try:
                    vals[d.name] = raw.decode("ascii" if is_ascii(d.encoding) else "utf-8")
                except UnicodeDecodeError as e:
                    raise Rejection("InvalidValue", f"{dp}: not valid {d.encoding} at offset {pos + e.start}")
            else:
                vals[d.name] = raw.hex()
            pos += n
        # P12: every field this version knows, in schema order.
        return {name: vals[name] for name in block.names() if name in vals}, pos

    def dec_slot(self, slot, buf, base, path):
        if slot.constant:
            return slot.const_json
        if slot.since > self.hv:
            return self.absent_json(slot)                 # R1: the frame's version lacks it
        return self.dec_type(slot.t, slot, buf, base + slot.offset, path)

    def dec_type(self, t, slot, buf, pos, path):
        if t.kind == "scalar":
            if t.text:
                raw = bytes(buf[pos:pos + t.length])
                text = check_text(raw)
                if text is None:
                    raise Rejection("InvalidValue", f"{path}: bytes {raw.hex()} break the text rule (W1) "
                                                    f"at offset {pos}")
                return None if slot.optional and raw == bytes(t.length) else text
            if t.length != 1:
                return [to_json_int(t.prim, self.unpack(t.prim, buf, pos + i * t.prim.size))
                        for i in range(t.length)]
            x = self.unpack(t.prim, buf, pos)
            if slot.optional and (x == t.null or (t.prim.isfloat and math.isnan(x) and math.isnan(t.null))):
                return None
            return to_json_int(t.prim, x)
        if t.kind == "enum":
            raw = self.unpack(t.prim, buf, pos)
            if slot.optional and raw == t.null:
                return None
            name, since = t.by_raw.get(raw, (None, None))
            if name is None or since > self.v:
                raise Rejection("InvalidValue", f"{path}: {raw} is not a value of enum {t.name} in version "
                                                f"{self.v} (offset {pos})")
            return name
        if t.kind == "set":
            mask = self.unpack(t.prim, buf, pos)
            names = []
            for bit in range(t.prim.size * 8):
                if mask >> bit & 1:
                    name, since = t.by_bit.get(bit, (None, None))
                    if name is None or since > self.v:
                        raise Rejection("InvalidValue", f"{path}: bit {bit} is not a choice of set {t.name} "
                                                        f"in version {self.v} (offset {pos})")
                    names.append(name)
            return names
        return {m.name: self.dec_slot(m, buf, pos, f"{path}.{m.name}") for m in t.members
                if m.since <= self.v}


def is_ascii(encoding):
    return (encoding or "").upper().replace("-", "") in ("ASCII", "USASCII")


def check_text(raw):
    """W1 for a char array: printable ASCII, then only 0x00 padding. The text, or None."""
    end = raw.find(b"\0")
    body, pad = (raw, b"") if end < 0 else (raw[:end], raw[end:])
    if any(not 0x20 <= b <= 0x7E for b in body) or pad.strip(b"\0"):
        return None
    return body.decode("ascii")


# ---------------------------------------------------------------------------------------------
# The peer: JSON lines on stdin/stdout, frames on ZeroMQ
# ---------------------------------------------------------------------------------------------

class Peer:
    def __init__(self, schema, version, role):
        self.schema, self.v, self.role = schema, version, role
        self.codec = Codec(schema, version)
        self.ctx = zmq.Context()
        self.sock = None
        self.last_client = None      # gateway: routing id of the client it heard from last
        self.inbuf = bytearray()
        self.skipping = False        # dropping the rest of an over-long stdin line
        self.out = bytearray()
        self.stdout_dead = False
        self.done = False
        self.stdin_open = True
        self.stdin = sys.stdin.fileno()
        self.stdout = sys.stdout.fileno()
        # Never block on stdout (P1): non-blocking when it is a pipe; events queue until read.
        if stat.S_ISFIFO(os.fstat(self.stdout).st_mode):
            os.set_blocking(self.stdout, False)

    def log(self, text):
        try:
            sys.stderr.write(f"rfq-peer-v{self.v} {self.role}: {text}\n")
            sys.stderr.flush()
        except OSError:
            pass

    # --- output ---

    def emit(self, event):
        if self.stdout_dead:
            return
        self.out += json.dumps(event, separators=(",", ":"), allow_nan=False).encode() + b"\n"
        self.flush()

    def flush(self):
        while self.out and not self.stdout_dead:
            try:
                n = os.write(self.stdout, self.out)
            except BlockingIOError:
                return
            except OSError:                          # the runner is gone: drop what we write
                self.stdout_dead = True
                self.out.clear()
                return
            del self.out[:n]

    # --- main loop ---

    def run(self):
        while not self.done:
            poller = zmq.Poller()
            if self.stdin_open:
                poller.register(self.stdin, zmq.POLLIN)
            if self.sock is not None:
                poller.register(self.sock, zmq.POLLIN)
            if self.out and not self.stdout_dead:
                poller.register(self.stdout, zmq.POLLOUT)
            if not self.stdin_open and not self.out:
                break
            ready = dict(poller.poll())
            if self.out and self.stdout in ready:
                self.flush()
            if self.sock is not None and self.sock in ready:
                self.drain_socket()
            if self.stdin_open and self.stdin in ready:
                self.read_stdin()
            if not self.stdin_open:
                self.done = True                     # P1: exit 0 when stdin closes
        self.finish()

    def finish(self):
        deadline = time.monotonic() + 5.0            # give the runner a moment to read our last lines
        while self.out and not self.stdout_dead and time.monotonic() < deadline:
            poller = zmq.Poller()
            poller.register(self.stdout, zmq.POLLOUT)
            poller.poll(100)
            self.flush()
        if self.sock is not None:
            self.sock.close(linger=0)
        self.ctx.term()

    def read_stdin(self):
        try:
            chunk = os.read(self.stdin, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.stdin_open = False
            if self.inbuf and not self.skipping:
                self.handle_line(bytes(self.inbuf))
            self.inbuf.clear()
            return
        self.inbuf += chunk
        while not self.done:
            nl = self.inbuf.find(b"\n")
            if nl < 0:
                if len(self.inbuf) > MAX_LINE:
                    if not self.skipping:
                        self.emit({"event": "error", "error": f"command line longer than {MAX_LINE} bytes"})
                    self.skipping = True
                    self.inbuf.clear()
                return
            line = bytes(self.inbuf[:nl])
            del self.inbuf[:nl + 1]
            if self.skipping:
                self.skipping = False
                continue
            self.handle_line(line)

    def drain_socket(self):
        for _ in range(1000):                        # then let stdin have a turn
            try:
                parts = self.sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            except zmq.ZMQError as e:
                self.log(f"receive failed: {e}")
                return
            if self.role == "gateway":
                if not parts:
                    continue
                self.last_client, parts = parts[0], parts[1:]
            for frame in parts:                      # P11: one event per frame
                self.on_frame(frame)

    def on_frame(self, frame):
        try:
            message, hv = self.codec.decode(frame)
            self.emit({"event": "received", "message": message, "version": hv, "bytes": frame.hex()})
            return
        except Rejection as r:
            code, detail = r.code, r.detail
        except Exception as e:                       # never crash on any bytes (R8)
            code, detail = "Malformed", f"undecodable: {type(e).__name__}: {e}"
        ref = 0
        if len(frame) >= self.schema.header.size:    # SB3: the header's templateId, 0 when short
            t = self.schema.hdr["templateId"]
            ref = self.codec.unpack(t.t.prim, frame, t.offset)
        # SB3/P16: reported to the runner, answered by nothing on the wire.
        self.emit({"event": "rejected_inbound", "code": code, "refTemplateId": ref,
                   "bytes": frame.hex(), "detail": detail})

    # --- commands ---

    def handle_line(self, line):
        try:
            text = line.decode("utf-8").strip()
        except UnicodeDecodeError:
            self.emit({"event": "error", "error": "the line is not UTF-8"})
            return
        if not text:
            return
        try:
            cmd = json.loads(text)
        except ValueError as e:
            m = re.search(r'"id"\s*:\s*(-?\d+)', text)
            ev = {"event": "error", "error": f"not JSON: {e}"}
            if m:
                ev = {"id": int(m.group(1)), **ev}
            self.emit(ev)
            return
        if not isinstance(cmd, dict):
            self.emit({"event": "error", "error": "a command is a JSON object"})
            return
        cid = cmd.get("id")
        try:
            reply = self.command(cmd)
        except Exception as e:                       # a bad command never ends the peer (P10)
            reply = {"event": "error", "error": f"{type(e).__name__}: {e}"}
        if cid is not None:
            reply = {"id": cid, **reply}
        self.emit(reply)

    def command(self, cmd):
        name = cmd.get("cmd")
        try:
            if name == "hello":
                lo, hi = self.schema.ranges.get(self.v, (self.schema.oldest, self.v))
                return {"event": "hello", "implementation": IMPLEMENTATION, "version": self.v,
                        "min": lo, "max": hi, "role": self.role,
                        "messages": [m.name for m in self.schema.messages_of(self.v)],
                        "contract": CONTRACT}
            if name == "listen" and self.role == "gateway":
                return self.listen(cmd.get("endpoint"))
            if name == "connect" and self.role == "client":
                return self.connect(cmd.get("endpoint"))
            if name == "send":
                return self.send(cmd.get("message"))
            if name == "send_raw":
                return self.send_raw(cmd.get("bytes"))
            if name == "shutdown":
                self.done = True
                return {"event": "bye"}
            if name in ("logon", "mode"):
                return {"event": "error", "error": f"`{name}` does not exist under the sbe profile"}
            if name in ("listen", "connect"):
                return {"event": "error", "error": f"`{name}` is not a command of a {self.role}"}
            return {"event": "error", "error": f"unknown command {name!r}"}
        except zmq.ZMQError as e:
            return {"event": "error", "error": f"{name}: {e}"}

    def listen(self, endpoint):
        if not isinstance(endpoint, str):
            return {"event": "error", "error": "listen needs an endpoint"}
        if self.sock is None:
            self.sock = self.new_socket(zmq.ROUTER)
            self.sock.setsockopt(zmq.ROUTER_MANDATORY, 1)   # a gone client is an error, not a drop
        self.sock.bind(endpoint)
        return {"event": "listening", "endpoint": self.sock.getsockopt_string(zmq.LAST_ENDPOINT)}

    def connect(self, endpoint):
        if not isinstance(endpoint, str):
            return {"event": "error", "error": "connect needs an endpoint"}
        if self.sock is None:
            self.sock = self.new_socket(zmq.DEALER)
            self.sock.setsockopt(zmq.RECONNECT_IVL, 10)
        self.sock.connect(endpoint)
        return {"event": "connected"}

    def new_socket(self, kind):
        s = self.ctx.socket(kind)
        s.setsockopt(zmq.LINGER, 0)
        # Let frames somewhat over the limit reach the codec, so they are reported (SB3).
        s.setsockopt(zmq.MAXMSGSIZE, max(1 << 16, 2 * self.schema.max_frame))
        return s

    def put(self, frame):
        """Puts one frame on the wire. Returns None, or (no_connection, why)."""
        # PEER-CONTRACT.md sbe P4/P7: the client speaks first; a gateway sends to the client it
        # heard from last, and before it has heard from any, send is NotLoggedOn, send_raw error.
        if self.sock is None:
            return True, "no connection to send on"
        if self.role == "gateway" and self.last_client is None:
            return True, "no client has sent anything yet (the client speaks first)"
        try:
            if self.role == "gateway":
                self.sock.send_multipart([self.last_client, frame], zmq.NOBLOCK)
            else:
                self.sock.send(frame, zmq.NOBLOCK)
        except zmq.ZMQError as e:
            if e.errno == zmq.EHOSTUNREACH:         # ROUTER_MANDATORY: that client is gone
                return True, "the client it heard from last is no longer connected"
            return False, f"the frame could not be queued: {e}"
        return None

    def send(self, message):
        try:
            frame = self.codec.encode(message)
        except Refusal as r:
            return {"event": "send_refused", "reason": r.reason, "detail": r.detail}
        problem = self.put(frame)
        if problem and problem[0]:
            # SB5: NotLoggedOn only when there is no connection to send on.
            return {"event": "send_refused", "reason": "NotLoggedOn", "detail": problem[1]}
        if problem:
            return {"event": "error", "error": problem[1]}
        return {"event": "sent", "bytes": frame.hex()}

    def send_raw(self, hexbytes):
        try:
            frame = bytes.fromhex(hexbytes)
        except (TypeError, ValueError):
            return {"event": "error", "error": "send_raw needs `bytes`, a hex string"}
        problem = self.put(frame)
        if problem:
            return {"event": "error", "error": problem[1]}
        return {"event": "sent", "bytes": frame.hex()}


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="A peer of a plain-SBE protocol for the compat harness.")
    ap.add_argument("--version", type=int, required=True, help="the schema version to play")
    ap.add_argument("--role", choices=("client", "gateway"), required=True)
    ap.add_argument("--schema", default=os.path.join(here, "..", "rfq.xml"),
                    help="SBE XML schema (its NAME.profile.json beside it is read too)")
    args = ap.parse_args(argv)
    try:
        schema = Schema(args.schema)
    except (SchemaError, OSError) as e:
        print(f"rfq-peer: {e}", file=sys.stderr)
        return 2
    if args.version not in schema.ranges:
        print(f"rfq-peer: version {args.version} is not one of the schema's versions "
              f"{sorted(schema.ranges)}", file=sys.stderr)
        return 2
    peer = Peer(schema, args.version, args.role)
    peer.log(f"started ({schema.path}, versions {sorted(schema.ranges)})")
    peer.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
