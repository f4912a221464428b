"""Tests of rfq_peer.py: two real peer processes (a gateway and a client of different versions)
over ipc:// in a temporary folder, driven by the JSON-lines contract as the runner would.

    python3 -m unittest protocols/rfq/peer/test_rfq_peer.py

Every wait is for an event (with a timeout that only fails the test); nothing sleeps.
"""

import json
import os
import queue
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "rfq_peer.py")
sys.path.insert(0, HERE)
import rfq_peer  # noqa: E402  (the codec, for the in-process tests)

TIMEOUT = 10.0
SCHEMA_ID = 20817


def header(block_length, template_id, version, schema_id=SCHEMA_ID):
    return struct.pack("<HHHH", block_length, template_id, schema_id, version)


class PeerProcess:
    """One peer: commands in, events out (read by a thread into a queue)."""

    def __init__(self, version, role):
        self.proc = subprocess.Popen([sys.executable, PEER, "--version", str(version), "--role", role],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.events = queue.Queue()
        self.unsolicited = []                     # received/rejected_inbound seen while awaiting a reply
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.events.put(json.loads(line))
        self.events.put(None)                      # stdout closed

    def write(self, text):
        self.proc.stdin.write(text.encode() + b"\n")
        self.proc.stdin.flush()

    def command(self, cmd, **args):
        cid = self.next_id
        self.next_id += 1
        self.write(json.dumps({"id": cid, "cmd": cmd, **args}))
        while True:
            event = self._next()
            if "id" in event:
                assert event["id"] == cid, f"expected the reply to {cid}, got {event}"
                return event
            self.unsolicited.append(event)

    def event(self):
        """The next unsolicited event (P2: those carry no id)."""
        if self.unsolicited:
            return self.unsolicited.pop(0)
        event = self._next()
        assert "id" not in event, f"expected an unsolicited event, got {event}"
        return event

    def _next(self):
        event = self.events.get(timeout=TIMEOUT)
        assert event is not None, "the peer closed its stdout"
        return event

    def send(self, mtype, **fields):
        return self.command("send", message={"type": mtype, "fields": fields})

    def close(self):
        if not self.proc.stdin.closed:
            self.proc.stdin.close()
        if self.proc.poll() is None:
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr):
            f.close()


QUOTE_REQUEST_V0 = dict(
    rfqId="18446744073709551615", symbol="ES", side="Buy", quantity=100,
    legs=[{"legSymbol": "ESZ5", "ratio": 1, "venues": [{"venueId": 7}]},
          {"legSymbol": "ESH6", "ratio": -1, "venues": []}],
    note="caf\u00e9")


class TwoPeers(unittest.TestCase):
    """A v2 gateway and a v0 client (the newest and the oldest)."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="rfq-peer-")
        self.gw = PeerProcess(2, "gateway")
        self.cl = PeerProcess(0, "client")
        self.addCleanup(self.cleanup)
        listening = self.gw.command("listen", endpoint=f"ipc://{self.dir}/gw")
        self.assertEqual(listening["event"], "listening")
        self.assertEqual(self.cl.command("connect", endpoint=listening["endpoint"])["event"], "connected")

    def cleanup(self):
        self.gw.close()
        self.cl.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def client_speaks_first(self):
        """The client speaks first (PEER-CONTRACT.md, sbe P4/P7): a ROUTER learns its client from a frame."""
        sent = self.cl.send("Heartbeat", timestamp="1")
        self.assertEqual(sent["event"], "sent")
        self.assertEqual(self.gw.event()["event"], "received")

    def test_hello(self):
        for peer, version, role in ((self.gw, 2, "gateway"), (self.cl, 0, "client")):
            hello = peer.command("hello")
            self.assertEqual(hello["implementation"], "compat-python")
            self.assertEqual((hello["version"], hello["min"], hello["max"]), (version, 0, version))
            self.assertEqual(hello["role"], role)
            self.assertEqual(hello["contract"], 3)
        self.assertEqual(self.gw.command("hello")["messages"],
                         ["QuoteRequest", "Quote", "QuoteStatusReport", "Heartbeat", "QuoteCancel"])
        self.assertEqual(self.cl.command("hello")["messages"],
                         ["QuoteRequest", "Quote", "QuoteStatusReport", "Heartbeat"])

    def test_old_client_to_new_gateway(self):
        sent = self.cl.send("QuoteRequest", **QUOTE_REQUEST_V0)
        self.assertEqual(sent["event"], "sent")
        got = self.gw.event()
        self.assertEqual(got["event"], "received")
        self.assertEqual(got["version"], 0)
        self.assertEqual(got["bytes"], sent["bytes"])
        # SB2/R1: the fields v2 knows that a v0 frame lacks are at their absent value
        # (SBE-SCHEMAS.md, absentValue null): no choice for the set, null for the optional integers.
        self.assertEqual(got["message"], {"type": "QuoteRequest", "fields": {
            **QUOTE_REQUEST_V0, "flags": [], "validForMs": None, "minQuantity": None}})
        self.assertEqual(list(got["message"]["fields"]),
                         ["rfqId", "symbol", "side", "quantity", "flags", "validForMs", "minQuantity",
                          "legs", "note"])

    def test_exact_bytes_of_a_v0_frame(self):
        sent = self.cl.send("Heartbeat", timestamp="258")
        self.assertEqual(sent["bytes"], (header(8, 4, 0) + struct.pack("<Q", 258)).hex())
        self.gw.event()
        sent = self.cl.send("QuoteRequest", rfqId="1", symbol="AB", side="Sell", quantity=5,
                            legs=[], note="")
        expected = (header(21, 1, 0) + struct.pack("<Q", 1) + b"AB" + bytes(6) + b"\x02"
                    + struct.pack("<I", 5) + struct.pack("<HH", 10, 0) + struct.pack("<H", 0))
        self.assertEqual(sent["bytes"], expected.hex())

    def test_new_gateway_to_old_client(self):
        self.client_speaks_first()
        quote = dict(rfqId="9", quoteId="10", bid={"mantissa": "-12345", "exponent": -4},
                     offer={"mantissa": "12346", "exponent": -4}, expiresAt="1700000000000",
                     tiers=[{"size": 10, "bid": {"mantissa": "1", "exponent": -4},
                             "offer": {"mantissa": "2", "exponent": -4}, "venue": 3}],
                     dealerText="ok", signature="00ff10")
        sent = self.gw.send("Quote", **quote)
        self.assertEqual(sent["event"], "sent")
        got = self.cl.event()
        self.assertEqual(got["event"], "received")
        self.assertEqual(got["version"], 2)
        # R2, R3, R10: the v0 client skips expiresAt and the tiers' venue by the frame's lengths.
        del quote["expiresAt"], quote["tiers"][0]["venue"]
        self.assertEqual(got["message"], {"type": "Quote", "fields": quote})

    def test_enum_value_newer_than_the_receiver(self):
        self.client_speaks_first()
        sent = self.gw.send("QuoteStatusReport", rfqId="3", status="Expired", text="late")
        self.assertEqual(sent["event"], "sent")
        got = self.cl.event()
        self.assertEqual((got["event"], got["code"], got["refTemplateId"], got["bytes"]),
                         ("rejected_inbound", "InvalidValue", 3, sent["bytes"]))

    def test_sender_refusals(self):
        def refused(peer, mtype, **fields):
            reply = peer.send(mtype, **fields)
            self.assertEqual(reply["event"], "send_refused", reply)
            self.assertIsInstance(reply["detail"], str)
            return reply["reason"]

        # A gateway that has heard from no client has no connection to send on (PEER-CONTRACT.md,
        # sbe P4/P7): send is NotLoggedOn, send_raw an error.
        self.assertEqual(refused(self.gw, "Heartbeat", timestamp="1"), "NotLoggedOn")
        self.assertEqual(self.gw.command("send_raw", bytes=header(8, 4, 2).hex() + "00" * 8)["event"], "error")
        base = dict(QUOTE_REQUEST_V0)
        cases = [
            ("UnsupportedInVersion", "QuoteCancel", {"rfqId": "1"}),          # type since 2
            ("UnsupportedInVersion", "QuoteRequest", {**base, "side": "Cross"}),  # value since 1
            ("NotRepresentable", "QuoteRequest", {**base, "flags": ["Firm"]}),    # field since 1
            ("NotRepresentable", "QuoteRequest", {**base, "minQuantity": 5}),     # field since 2
            ("NotRepresentable", "QuoteRequest", {**base, "validForMs": 0}),      # 0 is not null
            ("InvalidValue", "Nonsense", {}),
            ("InvalidValue", "QuoteRequest", {**base, "colour": "red"}),
            ("InvalidValue", "QuoteRequest", {**base, "side": "Sideways"}),
            ("InvalidValue", "QuoteRequest", {**base, "quantity": 0}),            # below minValue
            ("InvalidValue", "QuoteRequest", {**base, "symbol": "TOOLONGSYM"}),
            ("InvalidValue", "QuoteRequest", {**base, "symbol": "\u00e9"}),
            ("InvalidValue", "QuoteRequest", {**base, "note": "x" * 257}),
            ("InvalidValue", "QuoteRequest", {**base, "legs": [{"legSymbol": "A"}] * 33}),
            ("InvalidValue", "QuoteRequest", {**base, "rfqId": "18446744073709551616"}),
        ]
        for reason, mtype, fields in cases:
            with self.subTest(reason=reason, fields=fields):
                self.assertEqual(refused(self.cl, mtype, **fields), reason)
        # At the absent value a newer field is simply not written (SB5): the message as the runner
        # lists it (the absent value of a set is [], SBE-SCHEMAS.md), or with the fields left out.
        plain = self.cl.send("QuoteRequest", **base)
        self.assertEqual(plain["event"], "sent")
        for absent in ({"flags": [], "validForMs": None, "minQuantity": None},
                       {"flags": None, "minQuantity": None}):
            with self.subTest(absent=absent):
                reply = self.cl.send("QuoteRequest", **base, **absent)
                self.assertEqual((reply["event"], reply["bytes"]), ("sent", plain["bytes"]))
        # E2: judged against the sender's schema, not its version: the v2 gateway has QuoteCancel.
        self.assertEqual(refused(self.gw, "Quote", rfqId="1", quoteId="1", bid={"mantissa": "1"},
                                 offer={"mantissa": "1", "exponent": -3}), "InvalidValue")  # a constant

    def test_hostile_frames_are_reported_and_not_answered(self):
        v0_req = bytes.fromhex(self.cl.send("QuoteRequest", **QUOTE_REQUEST_V0)["bytes"])
        self.gw.event()
        note_at = len(v0_req) - 2 - len("caf\u00e9".encode())
        cases = [
            ("Malformed", 0, b"\x01\x02\x03"),                                   # shorter than the header
            ("Malformed", 4, header(8, 4, 0, schema_id=1) + bytes(8)),           # wrong schema id
            ("UnknownTemplate", 99, header(8, 99, 0) + bytes(8)),
            ("Malformed", 4, header(7, 4, 0) + bytes(8)),                        # blockLength below 8
            ("Malformed", 4, header(8, 4, 0) + bytes(7)),                        # block cut short
            ("Malformed", 4, header(8, 4, 0) + bytes(4089)),                     # 4097 bytes > maxFrameSize
            ("Malformed", 1, v0_req[:-1]),                                       # var-data cut short
            ("Malformed", 1, v0_req[:note_at] + struct.pack("<H", 257) + bytes(257)),  # over the limit
            ("InvalidValue", 1, v0_req[:note_at] + struct.pack("<H", 2) + b"\xc3\x28"),  # bad UTF-8
            ("InvalidValue", 1, v0_req[:16] + b"A\x00B" + v0_req[19:]),           # text breaks W1
            ("InvalidValue", 1, v0_req[:24] + b"\x09" + v0_req[25:]),             # no Side 9
            ("Malformed", 1, v0_req[:29] + struct.pack("<HH", 10, 33) + bytes(330)),  # 33 > 32 entries
            ("Malformed", 1, v0_req[:29] + struct.pack("<HH", 9, 0) + struct.pack("<H", 0)),  # entry < 10
        ]
        for code, ref, frame in cases:
            with self.subTest(code=code, frame=frame.hex()):
                self.assertEqual(self.cl.command("send_raw", bytes=frame.hex()),
                                 {"id": self.cl.next_id - 1, "event": "sent", "bytes": frame.hex()})
                got = self.gw.event()
                self.assertEqual((got["event"], got["code"], got["refTemplateId"], got["bytes"]),
                                 ("rejected_inbound", code, ref, frame.hex()))
        # SB3/P16: nothing went back. The client's next event is the heartbeat sent after them all.
        sent = self.gw.send("Heartbeat", timestamp="77")
        self.assertEqual(sent["event"], "sent")
        got = self.cl.event()
        self.assertEqual((got["event"], got["message"]), ("received", {"type": "Heartbeat",
                                                                       "fields": {"timestamp": "77"}}))

    def test_template_newer_than_the_receiver(self):
        self.client_speaks_first()
        sent = self.gw.send("QuoteCancel", rfqId="4", reasonCode=None)
        self.assertEqual(sent["bytes"], (header(9, 5, 2) + struct.pack("<Q", 4) + b"\xff").hex())
        got = self.cl.event()
        self.assertEqual((got["event"], got["code"], got["refTemplateId"]),
                         ("rejected_inbound", "UnknownTemplate", 5))
        # The same frame sent to the v2 gateway is delivered, the optional field at null.
        self.cl.command("send_raw", bytes=sent["bytes"])
        got = self.gw.event()
        self.assertEqual(got["message"], {"type": "QuoteCancel", "fields": {"rfqId": "4", "reasonCode": None}})

    def test_contract_errors_and_shutdown(self):
        self.cl.write("this is not json")
        self.assertEqual(self.cl.event()["event"], "error")
        self.assertEqual(self.cl.command("frobnicate")["event"], "error")
        self.assertEqual(self.cl.command("logon", username="u")["event"], "error")
        self.assertEqual(self.cl.command("listen", endpoint="ipc:///nowhere")["event"], "error")
        self.assertEqual(self.cl.command("send_raw", bytes="zz")["event"], "error")
        self.assertEqual(self.cl.command("shutdown")["event"], "bye")
        self.assertEqual(self.cl.proc.wait(TIMEOUT), 0)
        self.gw.proc.stdin.close()                 # P1: stdin closing ends the peer too, status 0
        self.assertEqual(self.gw.proc.wait(TIMEOUT), 0)


class MiddleVersion(unittest.TestCase):
    """A v1 client and a v0 gateway: a newer frame read by an older peer, both ways."""

    def test_v1_client_to_v0_gateway(self):
        d = tempfile.mkdtemp(prefix="rfq-peer-")
        gw, cl = PeerProcess(0, "gateway"), PeerProcess(1, "client")
        try:
            ep = gw.command("listen", endpoint=f"ipc://{d}/gw")["endpoint"]
            cl.command("connect", endpoint=ep)
            self.assertEqual(cl.command("hello")["max"], 1)
            req = {**QUOTE_REQUEST_V0, "flags": ["Firm", "AllOrNone"], "validForMs": 250}
            sent = cl.send("QuoteRequest", **req)
            self.assertEqual(sent["event"], "sent")
            got = gw.event()
            self.assertEqual((got["event"], got["version"]), ("received", 1))
            self.assertEqual(got["message"]["fields"], QUOTE_REQUEST_V0)
            # The gateway's v0 Quote, read by the v1 client: expiresAt and venue absent (null).
            gw.send("Quote", rfqId="1", quoteId="2", bid={"mantissa": "3"}, offer={"mantissa": "4"},
                    tiers=[{"size": 1, "bid": {"mantissa": "5"}, "offer": {"mantissa": "6"}}],
                    dealerText="", signature="")
            got = cl.event()
            self.assertEqual(got["message"]["fields"]["expiresAt"], None)
            self.assertEqual(got["message"]["fields"]["tiers"][0]["venue"], None)
        finally:
            gw.close()
            cl.close()
            shutil.rmtree(d, ignore_errors=True)


class Codec(unittest.TestCase):
    """The codec in-process: every version against every other."""

    @classmethod
    def setUpClass(cls):
        cls.schema = rfq_peer.Schema(os.path.join(HERE, "..", "rfq.xml"))

    def test_block_lengths(self):
        lengths = {m.name: [m.block.length(v) for v in range(3)] for m in self.schema.messages}
        self.assertEqual(lengths["QuoteRequest"], [21, 26, 30])
        self.assertEqual(lengths["Quote"], [32, 40, 40])
        self.assertEqual(self.schema.by_name["Quote"].block.groups[0].entry.length(0), 20)
        self.assertEqual(self.schema.by_name["Quote"].block.groups[0].entry.length(1), 22)

    def test_round_trip_every_pair(self):
        req = {**QUOTE_REQUEST_V0, "flags": ["AllOrNone", "Indicative"], "validForMs": 5, "minQuantity": 9}
        for sender in range(3):
            enc = rfq_peer.Codec(self.schema, sender)
            fields = {k: v for k, v in req.items()
                      if not (sender < 1 and k in ("flags", "validForMs") or sender < 2 and k == "minQuantity")}
            if sender >= 1:
                fields["flags"] = ["AllOrNone"]       # Indicative (since 2) would be refused by v1
            frame = enc.encode({"type": "QuoteRequest", "fields": fields})
            for receiver in range(3):
                with self.subTest(sender=sender, receiver=receiver):
                    msg, version = rfq_peer.Codec(self.schema, receiver).decode(frame)
                    self.assertEqual(version, sender)
                    for name in ("flags", "validForMs", "minQuantity"):
                        since = {"flags": 1, "validForMs": 1, "minQuantity": 2}[name]
                        if receiver < since:
                            self.assertNotIn(name, msg["fields"])
                        elif sender < since:              # R1: a set's absent value is no choice
                            self.assertEqual(msg["fields"][name], [] if name == "flags" else None)
                        else:
                            self.assertEqual(msg["fields"][name], fields[name])

    def test_set_choice_newer_than_the_receiver(self):
        frame = rfq_peer.Codec(self.schema, 2).encode(
            {"type": "QuoteRequest", "fields": {**QUOTE_REQUEST_V0, "flags": ["Indicative"]}})
        self.assertEqual(rfq_peer.Codec(self.schema, 2).decode(frame)[0]["fields"]["flags"], ["Indicative"])
        with self.assertRaises(rfq_peer.Rejection) as r:
            rfq_peer.Codec(self.schema, 1).decode(frame)
        self.assertEqual(r.exception.code, "InvalidValue")
        # The v0 receiver does not know `flags` at all, so its bits are never judged.
        self.assertNotIn("flags", rfq_peer.Codec(self.schema, 0).decode(frame)[0]["fields"])

    def test_never_crashes(self):
        import random
        rng = random.Random(7)
        codec = rfq_peer.Codec(self.schema, 2)
        seed = codec.encode({"type": "QuoteRequest", "fields": QUOTE_REQUEST_V0})
        for _ in range(3000):
            frame = bytearray(seed)
            for _ in range(rng.randint(1, 4)):
                frame[rng.randrange(len(frame))] = rng.randrange(256)
            frame = bytes(frame[:rng.randint(0, len(frame))])
            try:
                codec.decode(frame)
            except rfq_peer.Rejection as r:
                self.assertIn(r.code, ("Malformed", "UnknownTemplate", "InvalidValue"))


SYNTH_TYPES = """<types>
  <composite name="hdr"><type name="blockLength" primitiveType="uint16"/>
    <type name="templateId" primitiveType="uint16"/><type name="schemaId" primitiveType="uint16"/>
    <type name="version" primitiveType="uint16"/><type name="extra" primitiveType="uint16"/></composite>
  <composite name="dim"><type name="blockLength" primitiveType="uint16"/>
    <type name="numInGroup" primitiveType="uint8"/></composite>
  <composite name="str8"><type name="length" primitiveType="uint8"/>
    <type name="varData" primitiveType="uint8" length="0" characterEncoding="UTF-8"/></composite>
</types>"""

SYNTH_SCHEMA = """<messageSchema xmlns:xi="http://www.w3.org/2001/XInclude" package="s" id="7" version="3"
    byteOrder="bigEndian" headerType="hdr">
  <xi:include href="types.xml"/>
  <types>
    <enum name="Kind" encodingType="char"><validValue name="A">a</validValue>
      <validValue name="B" sinceVersion="2">b</validValue></enum>
    <enum name="Lvl" encodingType="uint8"><validValue name="Lo">0</validValue><validValue name="Hi">1</validValue></enum>
    <set name="Bits" encodingType="uint16"><choice name="x">0</choice><choice name="y">9</choice></set>
    <composite name="Pt"><type name="x" primitiveType="float"/>
      <type name="y" primitiveType="double" presence="optional"/>
      <composite name="inner"><type name="k" primitiveType="int8"/>
        <enum name="e" encodingType="uint8"><validValue name="One">1</validValue></enum></composite></composite>
    <type name="Arr" primitiveType="int32" length="3"/>
  </types>
  <message name="M" id="1" sinceVersion="1">
    <field name="kind" id="1" type="Kind"/>
    <field name="lvl" id="2" type="Lvl" presence="optional"/>
    <field name="cst" id="3" type="Lvl" presence="constant" valueRef="Lvl.Hi"/>
    <field name="bits" id="4" type="Bits"/>
    <field name="pt" id="5" type="Pt"/>
    <field name="arr" id="6" type="Arr"/>
    <field name="qty" id="7" type="uint32"/>
    <field name="qtyWide" id="8" type="uint64" sinceVersion="2"/>
    <field name="lvl2" id="9" type="Lvl" sinceVersion="3"/>
    <group name="g" id="10" dimensionType="dim">
      <field name="v" id="11" type="uint16"/>
      <data name="t" id="12" type="str8"/>
    </group>
    <data name="d" id="13" type="str8"/>
  </message>
</messageSchema>"""

SYNTH_PROFILE = {"absentValue": "zero", "enumDefaults": {"Lvl": "Hi"},
                 "versions": {"1": [1, 1], "2": [1, 2], "3": [2, 3]},
                 "widenings": [{"message": "M", "field": "qtyWide", "widens": "qty"}]}


class BeyondRfq(unittest.TestCase):
    """What rfq.xml does not use: big-endian, xi:include, a longer header, char enums, uint16 sets,
    arrays, nested composites, constant valueRefs, floats, uint8 var-data, var-data in group
    entries, and the profile's absentValue zero, enumDefaults and widenings."""

    def test_synthetic_schema(self):
        d = tempfile.mkdtemp(prefix="rfq-peer-")
        self.addCleanup(shutil.rmtree, d, True)
        for name, text in (("types.xml", SYNTH_TYPES), ("s.xml", SYNTH_SCHEMA),
                           ("s.profile.json", json.dumps(SYNTH_PROFILE))):
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        schema = rfq_peer.Schema(os.path.join(d, "s.xml"))
        self.assertEqual((schema.oldest, schema.header.size, schema.ranges[3]), (1, 10, (2, 3)))
        fields = {"kind": "A", "lvl": None, "cst": "Hi", "bits": ["y", "x"],
                  "pt": {"x": 1.5, "y": None, "inner": {"k": -3, "e": "One"}}, "arr": [1, -2, 3],
                  "qty": "5000000000", "g": [{"v": 1, "t": "\u00e9"}, {"v": 2, "t": ""}], "d": "end"}
        with self.assertRaises(rfq_peer.Refusal) as r:            # W7-like: v1 cannot carry it
            rfq_peer.Codec(schema, 1).encode({"type": "M", "fields": fields})
        self.assertEqual(r.exception.reason, "NotRepresentable")
        frame = rfq_peer.Codec(schema, 2).encode({"type": "M", "fields": fields})
        self.assertEqual(frame[:10].hex(), "002a0001000700020000")   # big-endian header, extra = 0
        expected = {**fields, "bits": ["x", "y"]}
        self.assertEqual(rfq_peer.Codec(schema, 2).decode(frame)[0]["fields"], expected)
        # An older decoder reads the capped narrow field; a newer one gives lvl2 its enumDefault.
        self.assertEqual(rfq_peer.Codec(schema, 1).decode(frame)[0]["fields"]["qty"], "4294967295")
        self.assertEqual(rfq_peer.Codec(schema, 3).decode(frame)[0]["fields"]["lvl2"], "Hi")
        for bad, reason in (({"cst": "Lo"}, "InvalidValue"), ({"kind": "B"}, "UnsupportedInVersion"),
                            ({"lvl2": "Lo"}, "NotRepresentable"), ({"qtyWide": "1"}, "InvalidValue"),
                            ({"pt": {"x": 1e40}}, "InvalidValue"), ({"qty": "7", "lvl2": "Hi"}, None)):
            with self.subTest(bad=bad):
                try:
                    rfq_peer.Codec(schema, 1).encode({"type": "M", "fields": {**fields, "qty": "7", **bad}})
                    got = None
                except rfq_peer.Refusal as e:
                    got = e.reason
                self.assertEqual(got, reason)


NULL_SCHEMA = """<sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe" package="n" id="9" version="2">
  <types>
    <composite name="messageHeader"><type name="blockLength" primitiveType="uint16"/>
      <type name="templateId" primitiveType="uint16"/><type name="schemaId" primitiveType="uint16"/>
      <type name="version" primitiveType="uint16"/></composite>
    <composite name="groupSizeEncoding"><type name="blockLength" primitiveType="uint16"/>
      <type name="numInGroup" primitiveType="uint16"/></composite>
    <composite name="varStringEncoding"><type name="length" primitiveType="uint16"/>
      <type name="varData" primitiveType="uint8" length="0" characterEncoding="UTF-8"/></composite>
    <composite name="Decimal"><type name="mantissa" primitiveType="int64"/>
      <type name="exponent" primitiveType="int8" presence="constant">-4</type></composite>
    <composite name="Pair"><type name="lo" primitiveType="uint8"/>
      <type name="hi" primitiveType="uint8" sinceVersion="2"/></composite>
    <enum name="Colour" encodingType="uint8"><validValue name="Red">1</validValue>
      <validValue name="Blue">2</validValue></enum>
    <set name="Bits" encodingType="uint8"><choice name="p">0</choice><choice name="q">1</choice></set>
    <type name="Code" primitiveType="char" length="4"/>
    <type name="Pts" primitiveType="int16" length="2"/>
  </types>
  <sbe:message name="M" id="1">
    <field name="a" id="1" type="uint32"/>
    <field name="pair" id="2" type="Pair"/>
    <field name="code" id="3" type="Code" sinceVersion="1"/>
    <field name="pts" id="4" type="Pts" sinceVersion="1"/>
    <field name="colour" id="5" type="Colour" sinceVersion="1"/>
    <field name="bits" id="6" type="Bits" sinceVersion="1"/>
    <field name="px" id="7" type="Decimal" sinceVersion="1"/>
    <field name="opt" id="8" type="uint16" presence="optional" sinceVersion="1"/>
    <field name="big" id="9" type="uint64" sinceVersion="1"/>
    <group name="g" id="10" sinceVersion="1"><field name="v" id="11" type="uint8"/></group>
    <data name="d" id="12" type="varStringEncoding" sinceVersion="1"/>
  </sbe:message>
</sbe:messageSchema>"""

# What a v2 receiver reads for each field a v0 frame does not carry, under absentValue null
# (SBE-SCHEMAS.md): null for a primitive, char array, other array or enum, required or optional;
# [] for a set; a composite member by member, its constant kept; "" for var-data; [] for a group.
NULL_ABSENT = {"code": None, "pts": None, "colour": None, "bits": [],
               "px": {"mantissa": None, "exponent": -4}, "opt": None, "big": None, "g": [], "d": ""}


class AbsentValues(unittest.TestCase):
    """Absent fields of every kind under the default absentValue, null, both ways: what a receiver
    reports for a field the frame's version lacks, and what a sender takes as a newer field's absent
    value (not written) or not (NotRepresentable)."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="rfq-peer-")
        path = os.path.join(cls.dir, "n.xml")
        with open(path, "w") as f:
            f.write(NULL_SCHEMA)
        cls.schema = rfq_peer.Schema(path)            # no profile: absentValue null, no versions

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def encode(self, v, **fields):
        return rfq_peer.Codec(self.schema, v).encode({"type": "M", "fields": fields})

    def test_versions_from_zero(self):
        self.assertEqual((self.schema.oldest, sorted(self.schema.ranges)), (0, [0, 1, 2]))

    def test_receiver_reports_absent_values(self):
        frame = self.encode(0, a=7, pair={"lo": 1})
        fields = rfq_peer.Codec(self.schema, 2).decode(frame)[0]["fields"]
        self.assertEqual(fields, {"a": 7, "pair": {"lo": 1, "hi": None}, **NULL_ABSENT})
        self.assertEqual(list(fields), ["a", "pair", "code", "pts", "colour", "bits", "px", "opt", "big",
                                        "g", "d"])
        # A v1 receiver does not know Pair.hi at all (P12: only what its version knows).
        self.assertEqual(rfq_peer.Codec(self.schema, 1).decode(frame)[0]["fields"]["pair"], {"lo": 1})

    def test_sender_does_not_write_absent_values(self):
        plain = self.encode(0, a=7, pair={"lo": 1})
        listed = self.encode(0, a=7, pair={"lo": 1, "hi": None}, **NULL_ABSENT)
        self.assertEqual(listed, plain)
        # Left out, null, or a composite without its constant member: absent too.
        self.assertEqual(self.encode(0, a=7, pair={"lo": 1}, px={"mantissa": None}, bits=None, d=None,
                                     g=None), plain)
        self.assertEqual(self.encode(0, a=7, pair={"lo": 1}, px=None), plain)

    def test_sender_refuses_other_values(self):
        for field, value in (("code", ""), ("pts", [0, 0]), ("colour", "Red"), ("bits", ["p"]),
                             ("px", {"mantissa": "0"}), ("px", {"mantissa": "0", "exponent": -4}),
                             ("opt", 0), ("big", "0"), ("g", [{"v": 0}]), ("d", "x")):
            with self.subTest(field=field, value=value):
                with self.assertRaises(rfq_peer.Refusal) as r:
                    self.encode(0, a=7, pair={"lo": 1}, **{field: value})
                self.assertEqual(r.exception.reason, "NotRepresentable")
        with self.assertRaises(rfq_peer.Refusal) as r:                # a newer composite member
            self.encode(1, a=7, pair={"lo": 1, "hi": 0})
        self.assertEqual(r.exception.reason, "NotRepresentable")
        # A constant other than its constant is no version's value (E2: InvalidValue).
        with self.assertRaises(rfq_peer.Refusal) as r:
            self.encode(0, a=7, px={"mantissa": None, "exponent": -3})
        self.assertEqual(r.exception.reason, "InvalidValue")

    def test_oldest_version_without_versions(self):
        """SBE-SCHEMAS.md: the lowest sinceVersion of a message or anything it holds, an element
        without one counting as 0; a sinceVersion in <types> alone does not count."""
        def oldest(message_attrs, field_attrs):
            xml = NULL_SCHEMA.replace('<sbe:message name="M" id="1">',
                                      f'<sbe:message name="M" id="1" {message_attrs}>')
            xml = xml.replace('<field name="a" id="1" type="uint32"/>',
                              f'<field name="a" id="1" type="uint32" {field_attrs}/>')
            xml = xml.replace('<field name="pair" id="2" type="Pair"/>',
                              f'<field name="pair" id="2" type="Pair" {field_attrs}/>')
            xml = xml.replace(' sinceVersion="1"', ' sinceVersion="2"').replace(
                '<field name="v" id="11" type="uint8"/>', f'<field name="v" id="11" type="uint8" {field_attrs}/>')
            xml = xml.replace('<validValue name="Red">1', '<validValue name="Red" sinceVersion="1">1')
            path = os.path.join(self.dir, "o.xml")
            with open(path, "w") as f:
                f.write(xml)
            return rfq_peer.Schema(path).oldest
        self.assertEqual(oldest('sinceVersion="2"', 'sinceVersion="2"'), 2)
        # Read as written: a field without one counts as 0 even inside a message of since 2
        # (DOC-NOTES 2), though it belongs to version 2 (nothing is older than its message).
        self.assertEqual(oldest('sinceVersion="2"', ''), 0)
        self.assertEqual(oldest('', 'sinceVersion="2"'), 0)


if __name__ == "__main__":
    unittest.main()
