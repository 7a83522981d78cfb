#!/usr/bin/env python3
"""A jdm character-device client in Python: only protobuf and a Unix socket.

The gate speaks gate.proto in frames (a 4-byte big-endian length, then one message). Generate the
Python module first:  protoc --python_out=DIR -I jdm-gate/src/main/proto gate.proto
and put DIR on PYTHONPATH (or pass --proto-dir DIR).

  jdm_dev.py --socket S describe kbd0
  jdm_dev.py --socket S call kbd0 type '{"text": "hi"}'
  jdm_dev.py --socket S cat zero 16

A typed call is checked against the schema the host publishes (dev_describe): arguments are built
from the record's field types, and the call carries the method's fingerprint, so a device whose
call changed since describe refuses it instead of misreading the bytes.
"""
import argparse
import json
import os
import socket
import struct
import sys

GATE_VERSION = 3  # character devices came with gate version 3


class GateError(Exception):
    def __init__(self, error):
        super().__init__("%s [%s]" % (error.message, error.code))
        self.code = error.code


class Gate:
    def __init__(self, path, pb):
        self.pb = pb
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.next_id = 1

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError("the host closed the connection")
            buf += chunk
        return buf

    def call(self, **call):
        """Sends one call and returns the last response; heartbeats (more=true) are skipped."""
        req = self.pb.Request(version=GATE_VERSION, max_version=GATE_VERSION, id=self.next_id, **call)
        self.next_id += 1
        data = req.SerializeToString()
        self.sock.sendall(struct.pack(">I", len(data)) + data)
        while True:
            (length,) = struct.unpack(">I", self._recv_exact(4))
            resp = self.pb.Response.FromString(self._recv_exact(length))
            if resp.HasField("error"):
                raise GateError(resp.error)
            if not resp.more:
                return resp


def to_value(pb, value, type_name, types):
    """A JSON value as a DevValue of the schema type type_name."""
    v = pb.DevValue()
    if type_name.startswith("list<"):
        inner = type_name[5:-1]
        for item in value:
            v.list_value.items.append(to_value(pb, item, inner, types))
    elif type_name in ("int32", "int64"):
        v.int_value = int(value)
    elif type_name == "double":
        v.double_value = float(value)
    elif type_name == "bool":
        v.bool_value = bool(value)
    elif type_name == "bytes":
        v.bytes_value = bytes(value, "latin-1") if isinstance(value, str) else bytes(value)
    elif type_name == "string" or type_name.startswith("enum("):
        v.string_value = str(value)
    elif type_name in types:
        for field, ftype in types[type_name]:
            if field not in value:
                raise SystemExit("argument %s is missing field %s" % (type_name, field))
            v.record_value.fields[field].CopyFrom(to_value(pb, value[field], ftype, types))
    else:
        raise SystemExit("the schema names an unknown type " + type_name)
    return v


def from_value(v):
    kind = v.WhichOneof("kind")
    if kind == "record_value":
        return {k: from_value(x) for k, x in sorted(v.record_value.fields.items())}
    if kind == "list_value":
        return [from_value(x) for x in v.list_value.items]
    if kind == "bytes_value":
        return v.bytes_value.hex()
    return getattr(v, kind) if kind else None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--socket", required=True)
    p.add_argument("--proto-dir", help="where protoc wrote gate_pb2.py")
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("describe")
    d.add_argument("node")
    c = sub.add_parser("call")
    c.add_argument("node")
    c.add_argument("method")
    c.add_argument("json", nargs="?")
    r = sub.add_parser("cat")
    r.add_argument("node")
    r.add_argument("bytes", type=int)
    a = p.parse_args()
    if a.proto_dir:
        sys.path.insert(0, a.proto_dir)
    import gate_pb2 as pb

    gate = Gate(a.socket, pb)
    try:
        if a.cmd == "describe":
            s = gate.call(dev_describe=pb.DevDescribeCall(node=a.node)).dev_describe.schema
            print("calls %s version %d fingerprint %s" % (s.interface, s.version, s.fingerprint))
            for m in s.methods:
                print("  %s(%s) -> %s %s [%s]" % (m.name, m.input, m.output or "void", list(m.errors), m.fingerprint))
            for t in s.types:
                print("record %s: %s" % (t.name, ", ".join("%s %s" % (f.name, f.type) for f in t.fields)))
        elif a.cmd == "call":
            s = gate.call(dev_describe=pb.DevDescribeCall(node=a.node)).dev_describe.schema
            methods = {m.name: m for m in s.methods}
            if a.method not in methods:
                raise SystemExit("%s has no typed call %s (its calls: %s)" % (a.node, a.method, ", ".join(methods)))
            m = methods[a.method]
            types = {t.name: [(f.name, f.type) for f in t.fields] for t in s.types}
            call = pb.DevCallCall(node=a.node, method=a.method, fingerprint=m.fingerprint)
            if m.input:
                call.args.CopyFrom(to_value(pb, json.loads(a.json or "{}"), m.input, types))
            reply = gate.call(dev_call=call).dev_call
            if reply.HasField("result"):
                print(json.dumps(from_value(reply.result), sort_keys=True))
        elif a.cmd == "cat":
            h = gate.call(dev_open=pb.DevOpenCall(name=a.node, flags=4)).dev_open.handle
            left = a.bytes
            out = os.fdopen(sys.stdout.fileno(), "wb", closefd=False)
            while left > 0:
                rd = gate.call(dev_read=pb.DevReadCall(handle=h, length=min(left, 1 << 20))).dev_read
                if rd.eof:
                    break
                out.write(rd.data)
                left -= len(rd.data)
            out.flush()
            gate.call(dev_close=pb.DevCloseCall(handle=h))
    except GateError as e:
        print("jdm_dev.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
