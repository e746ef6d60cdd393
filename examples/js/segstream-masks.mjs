// Read segstream Mask records from Kafka (kafkajs, read_committed) and decode them with protobufjs
// straight from the project's .proto files: the label map (LABEL_RLE or RAW) into a Uint8Array of
// class indices, the COCO RLE of each class, and every class's pixel area, checked against the
// Mask's own class_areas. Prints one JSON line per mask; --dump DIR writes the labels.
//
//   npm ci --prefix examples/js
//   node examples/js/segstream-masks.mjs --bootstrap-servers localhost:9092 --topic masks
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import kafkajs from 'kafkajs';
import LZ4Codec from 'kafkajs-lz4';
import protobuf from 'protobufjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    'bootstrap-servers': { type: 'string', short: 'b', default: 'localhost:9092' },
    topic: { type: 'string', default: 'masks' },
    'proto-dir': { type: 'string', default: path.join(here, '..', '..', 'schemas', 'src', 'main', 'proto') },
    'max-masks': { type: 'string', default: '0' },
    'idle-timeout': { type: 'string', default: '0' },
    dump: { type: 'string' },
  },
});

/** LABEL_RLE: runs of (label byte, LEB128 length) over the row-major labels. */
export function decodeLabelRle(bytes, width, height) {
  const n = width * height;
  const out = new Uint8Array(n);
  let i = 0;
  let filled = 0;
  while (i < bytes.length) {
    const label = bytes[i++];
    let run = 0;
    let shift = 0;
    let b;
    do {
      b = bytes[i++];
      run += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b >= 0x80);
    if (run === 0 || filled + run > n) throw new Error(`label RLE run of ${run} at pixel ${filled} does not fit`);
    out.fill(label, filled, filled + run);
    filled += run;
  }
  if (filled !== n) throw new Error(`label RLE covers ${filled} of ${n} pixels`);
  return out;
}

/** The run lengths of a COCO compressed RLE string (pycocotools' rleFrString). */
export function cocoCounts(s) {
  const counts = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      const c = s.charCodeAt(p) - 48;
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && (c & 0x10)) x -= 2 ** (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x);
  }
  return counts;
}

/** Pixels (row-major) where the COCO mask and "label == classIndex" disagree. */
function cocoMismatches(counts, labels, width, height, classIndex) {
  let mismatches = 0;
  let pos = 0;
  let value = false;
  for (const run of cocoCounts(counts)) {
    for (let j = pos; j < pos + run; j++) {
      const x = Math.floor(j / height);
      const y = j % height;
      if ((labels[y * width + x] === classIndex) !== value) mismatches++;
    }
    pos += run;
    value = !value;
  }
  if (pos !== width * height) throw new Error(`COCO RLE covers ${pos} of ${width * height} pixels`);
  return mismatches;
}

const root = await protobuf.load([path.join(args['proto-dir'], 'segstream', 'v1', 'mask.proto')]);
const Mask = root.lookupType('segstream.v1.Mask');
const Encoding = root.lookupEnum('segstream.v1.MaskEncoding').values;
const Status = root.lookupEnum('segstream.v1.MaskStatus').values;

// segstream's producers compress with LZ4 (compression.type); kafkajs decodes it through a codec plugin.
kafkajs.CompressionCodecs[kafkajs.CompressionTypes.LZ4] = new LZ4Codec().codec;

const kafka = new kafkajs.Kafka({
  clientId: 'segstream-js-example',
  brokers: args['bootstrap-servers'].split(','),
  logLevel: kafkajs.logLevel.WARN,
});
const consumer = kafka.consumer({ groupId: `segstream-js-example-${process.pid}`, readUncommitted: false });
const maxMasks = Number(args['max-masks']);
const idleMs = Number(args['idle-timeout']) * 1000;
if (args.dump) fs.mkdirSync(args.dump, { recursive: true });
let seen = 0;
let last = Date.now();
let done;
const finished = new Promise((resolve) => { done = resolve; });

consumer.on(consumer.events.CRASH, (event) => {
  console.error('consumer crashed:', event.payload.error.message);
  process.exit(1);
});
await consumer.connect();
await consumer.subscribe({ topic: args.topic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    if (maxMasks && seen >= maxMasks) return;
    last = Date.now();
    const mask = Mask.decode(message.value);
    if (mask.status !== Status.MASK_STATUS_OK) return; // skipped in live mode (stale, superseded, rate): no labels
    const { width, height } = mask;
    let labels;
    if (mask.encoding === Encoding.MASK_ENCODING_LABEL_RLE) labels = decodeLabelRle(mask.data, width, height);
    else if (mask.encoding === Encoding.MASK_ENCODING_RAW) labels = Uint8Array.from(mask.data);
    else throw new Error(`mask encoding ${mask.encoding} needs a PNG decoder`);
    const counts = new Map();
    for (const l of labels) counts.set(l, (counts.get(l) || 0) + 1);
    const stated = new Map(mask.classAreas.map((a) => [a.classIndex, Number(a.pixels)]));
    const areasMatch = counts.size === stated.size && [...counts].every(([c, n]) => stated.get(c) === n);
    let coco = 0;
    for (const rle of mask.cocoRle) coco += cocoMismatches(rle.counts, labels, width, height, rle.classIndex);
    const camera = message.key.toString('utf8');
    const sequence = mask.sequence.toString();
    const names = mask.model ? mask.model.classNames : [];
    // The label map may be smaller than its frame (the processor's working size): scale by source / width to
    // lay it over the frame. Older masks without the fields had the frame's size.
    const sourceWidth = mask.sourceWidth || width;
    const sourceHeight = mask.sourceHeight || height;
    console.log(JSON.stringify({
      camera, sequence, width, height,
      source_width: sourceWidth, source_height: sourceHeight,
      areas: Object.fromEntries([...counts].map(([c, n]) => [String(c), n])),
      classes: Object.fromEntries([...counts].map(([c, n]) => [names[c] || String(c), n])),
      areas_match: areasMatch,
      coco_classes: mask.cocoRle.length,
      coco_mismatched_pixels: coco,
    }));
    if (args.dump) fs.writeFileSync(path.join(args.dump, `${camera}-${sequence}.labels`), labels);
    seen++;
    if (maxMasks && seen >= maxMasks) done();
  },
});
const idle = idleMs ? setInterval(() => { if (Date.now() - last > idleMs) done(); }, 250) : null;
const stop = () => done();
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
await finished;
if (idle) clearInterval(idle);
await consumer.disconnect();
