// The input and output names of an ONNX graph (with the inputs' element types and shapes), read from the
// file's protobuf before onnxruntime opens it, so the architecture in config.json can be checked against
// the graph before anything proportional to its layer count is allocated. Reads only the fields on the way
// to graph.input / graph.output; nodes and weights are skipped over without being read.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { fields, lastField, type ProtoBytes, type Range, varint } from './proto';
import type { InputMeta } from './signature';

export interface GraphIo {
  inputs: InputMeta[];
  outputs: string[];
  /** The outputs' element types and shapes, in the order of `outputs`. */
  outputMeta: InputMeta[];
  /** Every initializer's name, dimensions, element type and stored bytes (its data is skipped over, not read). */
  initializers: Initializer[];
  /** Every node's op type, subgraphs (If branches) included. */
  ops: Set<string>;
}

export interface Initializer {
  name: string;
  dims: number[];
  /** Element type as onnxruntime-node spells it (float32, int8, uint8, float16...). */
  type?: string;
  /** Bytes of its data, in the file or in an external data file. */
  bytes?: number;
}

// Field numbers in onnx.proto.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_GRAPH = 6;
const ATTRIBUTE_GRAPHS = 11;
const GRAPH_INITIALIZER = 5;
const TENSOR_DIMS = 1;
const TENSOR_NAME = 8;
const TENSOR_DATA_TYPE = 2;
const TENSOR_RAW_DATA = 9;
const TENSOR_EXTERNAL_DATA = 13;
const TENSOR_TYPED_DATA = new Set([4, 5, 7, 10, 11]); // float_data, int32_data, int64_data, double_data, uint64_data
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const VALUE_NAME = 1;
const VALUE_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_ELEM_TYPE = 1;
const TENSOR_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const DIM_PARAM = 2;

/** TensorProto.DataType names, as onnxruntime-node's inputMetadata spells them. */
const ELEM_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  16: 'bfloat16',
};

/** Longest name or value-info message read (names are short; anything longer is not an ONNX graph). */
const MAX_SMALL = 1 << 20;

/** Reads the graph's inputs and outputs; throws an Error saying why when the file is not an ONNX model. */
export function readGraphIo(path: string): GraphIo {
  const r = new FileBytes(path);
  try {
    const graph = lastField(r, { start: 0, end: r.size }, MODEL_GRAPH);
    if (!graph) throw new Error('no graph in the file');
    const io: GraphIo = { inputs: [], outputs: [], outputMeta: [], initializers: [], ops: new Set() };
    for (const f of fields(r, graph)) {
      if (f.wire !== 2) continue;
      if (f.field === GRAPH_NODE) nodeOps(r, f, io.ops);
      if (f.field === GRAPH_INITIALIZER) io.initializers.push(initializer(r, f));
      if (f.field !== GRAPH_INPUT && f.field !== GRAPH_OUTPUT) continue;
      if (f.end - f.start > MAX_SMALL)
        throw new Error(`a graph ${f.field === GRAPH_INPUT ? 'input' : 'output'} of ${f.end - f.start} bytes`);
      const v = valueInfo(r, f);
      if (f.field === GRAPH_INPUT) io.inputs.push(v);
      else {
        io.outputs.push(v.name);
        io.outputMeta.push(v);
      }
    }
    return io;
  } finally {
    r.close();
  }
}

/** A node's op type into `ops`, and those of the graphs its attributes hold (If, Loop, Scan bodies). */
function nodeOps(r: FileBytes, at: Range, ops: Set<string>): void {
  for (const f of fields(r, at)) {
    if (f.wire !== 2) continue;
    if (f.field === NODE_OP_TYPE && f.end - f.start <= 256) ops.add(r.text(f));
    if (f.field !== NODE_ATTRIBUTE) continue;
    for (const a of fields(r, f)) {
      if (a.wire !== 2 || (a.field !== ATTRIBUTE_GRAPH && a.field !== ATTRIBUTE_GRAPHS)) continue;
      for (const g of fields(r, a)) if (g.field === GRAPH_NODE && g.wire === 2) nodeOps(r, g, ops);
    }
  }
}

/** A StringStringEntryProto as { key: value }. */
function entry(r: FileBytes, at: Range): Record<string, string> {
  let key = '';
  let value = '';
  for (const f of fields(r, at)) {
    if (f.wire !== 2 || f.end - f.start > MAX_SMALL) continue;
    if (f.field === 1) key = r.text(f);
    if (f.field === 2) value = r.text(f);
  }
  return key ? { [key]: value } : {};
}

function valueInfo(r: FileBytes, at: Range): InputMeta {
  const v: InputMeta = { name: '' };
  for (const f of fields(r, at)) {
    if (f.field === VALUE_NAME && f.wire === 2) v.name = r.text(f);
    if (f.field !== VALUE_TYPE || f.wire !== 2) continue;
    const tensor = lastField(r, f, TYPE_TENSOR);
    v.isTensor = !!tensor;
    if (tensor) Object.assign(v, tensorType(r, tensor));
  }
  return v;
}

/** A TensorProto's name, dims, type and data size; its data is skipped. Dims may be packed or one varint each. */
function initializer(r: FileBytes, at: Range): Initializer {
  const t: Initializer = { name: '', dims: [], bytes: 0 };
  for (const f of fields(r, at)) {
    if (f.field === TENSOR_NAME && f.wire === 2) t.name = r.text(f);
    if (f.field === TENSOR_DATA_TYPE && f.wire === 0) t.type = ELEM_TYPES[f.value] ?? `type ${f.value}`;
    if ((f.field === TENSOR_RAW_DATA || TENSOR_TYPED_DATA.has(f.field)) && f.wire === 2) t.bytes = (t.bytes ?? 0) + f.end - f.start;
    if (f.field === TENSOR_EXTERNAL_DATA && f.wire === 2) t.bytes = (t.bytes ?? 0) + externalLength(r, f);
    if (f.field !== TENSOR_DIMS) continue;
    if (f.wire === 0) t.dims.push(f.value);
    else if (f.wire === 2) for (let p = f.start; p < f.end; ) [t.dims[t.dims.length], p] = varint(r, p);
  }
  return t;
}

/** The "length" entry of one external_data key/value pair (0 for the other keys). */
function externalLength(r: FileBytes, at: Range): number {
  return Number(entry(r, at).length) || 0;
}

function tensorType(r: FileBytes, at: Range): Pick<InputMeta, 'type' | 'shape'> {
  const out: Pick<InputMeta, 'type' | 'shape'> = {};
  for (const f of fields(r, at)) {
    if (f.field === TENSOR_ELEM_TYPE && f.wire === 0) out.type = ELEM_TYPES[f.value] ?? `type ${f.value}`;
    if (f.field !== TENSOR_SHAPE || f.wire !== 2) continue;
    const shape: (number | string)[] = [];
    for (const d of fields(r, f)) {
      if (d.field !== SHAPE_DIM || d.wire !== 2) continue;
      let dim: number | string = '';
      for (const x of fields(r, d)) {
        if (x.field === DIM_VALUE && x.wire === 0) dim = x.value;
        if (x.field === DIM_PARAM && x.wire === 2) dim = r.text(x);
      }
      shape.push(dim);
    }
    out.shape = shape;
  }
  return out;
}

/** Positional reads through a small buffer: skipping a field costs nothing, a new region one read. */
class FileBytes implements ProtoBytes {
  readonly size: number;
  private readonly fd: number;
  private readonly buf = Buffer.alloc(64 * 1024);
  private bufStart = 0;
  private bufEnd = 0;

  constructor(path: string) {
    // Non-blocking, then fstat: a FIFO in the file's place is refused instead of waiting for a writer.
    this.fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const st = fstatSync(this.fd);
    if (!st.isFile()) {
      closeSync(this.fd);
      throw new Error('not a regular file');
    }
    this.size = st.size;
  }

  close(): void {
    closeSync(this.fd);
  }

  byte(pos: number): number {
    if (pos < this.bufStart || pos >= this.bufEnd) {
      if (pos >= this.size) throw new Error(`truncated at byte ${pos}`);
      this.bufStart = pos;
      this.bufEnd = pos + readSync(this.fd, this.buf, 0, this.buf.length, pos);
    }
    return this.buf[pos - this.bufStart];
  }

  text(at: Range): string {
    if (at.end - at.start > MAX_SMALL) throw new Error(`a name of ${at.end - at.start} bytes`);
    const out = Buffer.alloc(at.end - at.start);
    for (let p = at.start; p < at.end; p++) out[p - at.start] = this.byte(p);
    return out.toString('utf8');
  }
}
