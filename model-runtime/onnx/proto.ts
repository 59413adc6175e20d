// Just enough protobuf for ONNX files: the field walker graph-io.ts uses on a file read through a window, and,
// over a model held in memory (the X-ray builds its session from edited bytes anyway), the graph's nodes, one
// initializer's data, and more graph outputs (a repeated field is extended by writing more of it; only the
// enclosing graph's length prefix changes).

export interface Range {
  start: number;
  end: number;
}

export interface PField extends Range {
  field: number;
  wire: number;
  /** The value of a varint field. */
  value: number;
}

/** Where a message's bytes come from: a file read through a window (graph-io.ts) or memory (MemoryBytes). */
export interface ProtoBytes {
  readonly size: number;
  byte(pos: number): number;
}

/** A varint (up to 2^53) at pos, and the position after it. */
export function varint(r: ProtoBytes, pos: number): [number, number] {
  let value = 0;
  for (let i = 0, scale = 1; i < 10; i++, scale *= 128) {
    const b = r.byte(pos + i);
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, pos + i + 1];
  }
  throw new Error(`bad varint at byte ${pos}`);
}

/** The fields of a message, in order; length-delimited ones are skipped over, not read. */
export function* fields(r: ProtoBytes, at: Range): Generator<PField> {
  for (let pos = at.start; pos < at.end; ) {
    const [key, after] = varint(r, pos);
    const wire = key % 8;
    const field = Math.floor(key / 8);
    if (field === 0) throw new Error(`field number 0 at byte ${pos}`);
    let f: PField;
    if (wire === 0) {
      const [value, e] = varint(r, after);
      f = { field, wire, value, start: after, end: e };
    } else if (wire === 1 || wire === 5) f = { field, wire, value: 0, start: after, end: after + (wire === 1 ? 8 : 4) };
    else if (wire === 2) {
      const [len, s] = varint(r, after);
      f = { field, wire, value: len, start: s, end: s + len };
    } else throw new Error(`unsupported protobuf wire type ${wire} at byte ${pos}`);
    if (f.end > at.end) throw new Error(`a field runs past its message at byte ${pos}`);
    yield f;
    pos = f.end;
  }
}

/** The last length-delimited occurrence of a field in a message (protobuf: the last one wins). */
export function lastField(r: ProtoBytes, at: Range, field: number): PField | undefined {
  let found: PField | undefined;
  for (const f of fields(r, at)) if (f.field === field && f.wire === 2) found = f;
  return found;
}

/** A model held in memory. */
class MemoryBytes implements ProtoBytes {
  readonly size: number;
  constructor(readonly buf: Uint8Array) {
    this.size = buf.length;
  }
  byte(pos: number): number {
    if (pos >= this.size) throw new Error(`truncated at byte ${pos}`);
    return this.buf[pos];
  }
}

const text = (buf: Uint8Array, f: Range) => new TextDecoder().decode(buf.subarray(f.start, f.end));
const all = (buf: Uint8Array): [MemoryBytes, Range] => [new MemoryBytes(buf), { start: 0, end: buf.length }];

function encodeVarint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function lengthDelimited(field: number, body: Uint8Array): Uint8Array {
  return Uint8Array.from([...encodeVarint(field * 8 + 2), ...encodeVarint(body.length), ...body]);
}

// onnx.proto field numbers.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_OUTPUT = 12;

function graphRange(buf: Uint8Array): PField {
  const g = lastField(...all(buf), MODEL_GRAPH);
  if (!g) throw new Error('no graph in the model');
  return g;
}

export interface GraphNode {
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
}

export function graphNodes(buf: Uint8Array): GraphNode[] {
  const r = new MemoryBytes(buf);
  const nodes: GraphNode[] = [];
  for (const f of fields(r, graphRange(buf))) {
    if (f.field !== GRAPH_NODE || f.wire !== 2) continue;
    const n: GraphNode = { name: '', op: '', inputs: [], outputs: [] };
    for (const x of fields(r, f)) {
      if (x.wire !== 2) continue;
      if (x.field === 1) n.inputs.push(text(buf, x));
      else if (x.field === 2) n.outputs.push(text(buf, x));
      else if (x.field === 3) n.name = text(buf, x);
      else if (x.field === 4) n.op = text(buf, x);
    }
    nodes.push(n);
  }
  return nodes;
}

export interface TensorData {
  dims: number[];
  /** TensorProto.DataType: 1 float, 2 uint8, 3 int8, 10 float16. */
  type: number;
  values: Float32Array;
}

/** An initializer's values as float32 (from raw_data or float_data); undefined when there is no such initializer. */
export function initializerValues(buf: Uint8Array, name: string): TensorData | undefined {
  const r = new MemoryBytes(buf);
  for (const f of fields(r, graphRange(buf))) {
    if (f.field !== GRAPH_INITIALIZER || f.wire !== 2) continue;
    let found = false;
    const t: { dims: number[]; type: number; raw?: PField; floats?: PField } = { dims: [], type: 0 };
    for (const x of fields(r, f)) {
      if (x.field === 8 && x.wire === 2) found = text(buf, x) === name;
      else if (x.field === 1 && x.wire === 0) t.dims.push(x.value);
      else if (x.field === 1 && x.wire === 2) for (let p = x.start; p < x.end; ) [t.dims[t.dims.length], p] = varint(r, p);
      else if (x.field === 2 && x.wire === 0) t.type = x.value;
      else if (x.field === 9 && x.wire === 2) t.raw = x;
      else if (x.field === 4 && x.wire === 2) t.floats = x;
    }
    if (!found) continue;
    const src = t.raw ?? t.floats;
    if (!src) throw new Error(`initializer ${name} keeps its data outside the file`);
    const bytes = new Uint8Array(buf.subarray(src.start, src.end)); // a copy: aligned for the typed views below
    const values =
      t.type === 1
        ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)
        : t.type === 3
          ? Float32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length))
          : t.type === 2
            ? Float32Array.from(bytes)
            : undefined;
    if (!values) throw new Error(`initializer ${name} has element type ${t.type}, not read by the X-ray`);
    return { dims: t.dims, type: t.type, values: Float32Array.from(values) };
  }
  return undefined;
}

/** The model with more graph outputs (float tensors of any shape) so a session hands back those intermediates. */
export function withOutputs(buf: Uint8Array, names: readonly string[]): Uint8Array {
  const g = graphRange(buf);
  const enc = new TextEncoder();
  // ValueInfoProto{ name: 1, type: 2 = TypeProto{ tensor_type: 1 = { elem_type: 1 (float) } } }
  const floatTensor = lengthDelimited(2, lengthDelimited(1, Uint8Array.from([8, 1])));
  const extra = names.map((n) => lengthDelimited(GRAPH_OUTPUT, Uint8Array.from([...lengthDelimited(1, enc.encode(n)), ...floatTensor])));
  const graph = new Uint8Array(g.end - g.start + extra.reduce((a, e) => a + e.length, 0));
  graph.set(buf.subarray(g.start, g.end), 0);
  let at = g.end - g.start;
  for (const e of extra) {
    graph.set(e, at);
    at += e.length;
  }
  const head = Uint8Array.from(encodeVarint(MODEL_GRAPH * 8 + 2).concat(encodeVarint(graph.length)));
  // The graph field's old key and length precede g.start; drop them with its body.
  let keyStart = 0;
  for (const f of fields(...all(buf)))
    if (f.start === g.start) break;
    else keyStart = f.end;
  const out = new Uint8Array(keyStart + head.length + graph.length + (buf.length - g.end));
  out.set(buf.subarray(0, keyStart), 0);
  out.set(head, keyStart);
  out.set(graph, keyStart + head.length);
  out.set(buf.subarray(g.end), keyStart + head.length + graph.length);
  return out;
}
