#!/usr/bin/env python3
"""Read segstream Mask records from Kafka and turn them into numpy label maps.

Each record on the masks topic is a Protobuf segstream.v1.Mask keyed by camera id. This example
decodes its label map (LABEL_RLE, PNG or RAW) into a height x width numpy array of class indices,
decodes the COCO RLE of each class (when the processor writes them: mask.coco.rle=true), computes
the pixel area of every class and checks both against what the Mask says. It prints one JSON line
per mask and can write the labels (--dump) and coloured PNGs (--png-dir).

Requirements (Debian: apt-get install python3-confluent-kafka python3-protobuf python3-numpy
python3-pil protobuf-compiler), then generate the Python classes once:

    protoc -I schemas/src/main/proto --python_out=examples/python/gen \\
        segstream/v1/frame.proto segstream/v1/mask.proto

Example:

    python3 examples/python/segstream_masks.py -b localhost:9092 --proto-dir examples/python/gen
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from confluent_kafka import Consumer, KafkaError, KafkaException


def decode_label_rle(data, width, height):
    """LABEL_RLE: runs of (label byte, LEB128 length) over the row-major labels."""
    n = width * height
    out = np.empty(n, dtype=np.uint8)
    filled, i = 0, 0
    while i < len(data):
        label = data[i]
        i += 1
        run, shift = 0, 0
        while True:
            b = data[i]
            i += 1
            run |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        if run == 0 or filled + run > n:
            raise ValueError("label RLE run of %d at pixel %d does not fit %dx%d" % (run, filled, width, height))
        out[filled:filled + run] = label
        filled += run
    if filled != n:
        raise ValueError("label RLE covers %d of %d pixels" % (filled, n))
    return out.reshape(height, width)


def coco_counts(s):
    """The run lengths of a COCO compressed RLE string (pycocotools' rleFrString)."""
    counts, p = [], 0
    while p < len(s):
        x, k, more = 0, 0, True
        while more:
            c = ord(s[p]) - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def decode_coco_rle(counts, width, height):
    """A binary height x width mask from COCO RLE counts (column-major runs, starting with zeros)."""
    flat = np.zeros(width * height, dtype=bool)
    pos, value = 0, False
    for run in coco_counts(counts):
        if value:
            flat[pos:pos + run] = True
        pos += run
        value = not value
    if pos != width * height:
        raise ValueError("COCO RLE covers %d of %d pixels" % (pos, width * height))
    return flat.reshape(width, height).T


def labels_of(mask, pb):
    if mask.encoding == pb.MASK_ENCODING_LABEL_RLE:
        return decode_label_rle(mask.data, mask.width, mask.height)
    if mask.encoding == pb.MASK_ENCODING_RAW:
        return np.frombuffer(mask.data, dtype=np.uint8).reshape(mask.height, mask.width)
    if mask.encoding == pb.MASK_ENCODING_PNG:
        import io
        from PIL import Image
        return np.array(Image.open(io.BytesIO(mask.data)))
    raise ValueError("unknown mask encoding %d" % mask.encoding)


def source_size(mask):
    """(width, height) of the frame the mask was made from; older masks without the fields had the frame's size."""
    return (mask.source_width or mask.width, mask.source_height or mask.height)


def labels_at_source(labels, mask):
    """The label map enlarged to its frame's size (nearest neighbour, pixel centres to pixel centres), to lay it
    over the frame: the processor writes masks at its working size (working.max.side) unless mask.size=source."""
    width, height = source_size(mask)
    if labels.shape == (height, width):
        return labels
    ys = np.minimum(((np.arange(height) + 0.5) * labels.shape[0] / height).astype(np.int64), labels.shape[0] - 1)
    xs = np.minimum(((np.arange(width) + 0.5) * labels.shape[1] / width).astype(np.int64), labels.shape[1] - 1)
    return labels[ys[:, None], xs[None, :]]


def write_png(path, labels, mask):
    from PIL import Image
    palette = np.zeros((256, 3), dtype=np.uint8)
    for i, rgb in enumerate(mask.model.palette):
        palette[i] = ((rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255)
    Image.fromarray(palette[labels]).save(path)


def main():
    parser = argparse.ArgumentParser(description="Decode segstream masks from Kafka into numpy label maps.")
    parser.add_argument("-b", "--bootstrap-servers", default="localhost:9092")
    parser.add_argument("--topic", default="masks")
    parser.add_argument("--proto-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"),
                        help="where protoc wrote segstream/v1/mask_pb2.py (default: gen/ beside this file)")
    parser.add_argument("--max-masks", type=int, default=0, help="stop after N masks (default: run until Ctrl-C)")
    parser.add_argument("--idle-timeout", type=float, default=0,
                        help="stop when no mask came for this many seconds (default: never)")
    parser.add_argument("--dump", metavar="DIR", help="write each mask's labels as DIR/CAMERA-SEQUENCE.labels")
    parser.add_argument("--png-dir", metavar="DIR",
                        help="write each mask as a coloured PNG at its frame's size (enlarged from the working size)")
    parser.add_argument("-X", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                        help="any librdkafka setting (security.protocol, sasl.*, ssl.*); repeatable")
    args = parser.parse_args()

    sys.path.insert(0, args.proto_dir)
    try:
        from segstream.v1 import mask_pb2 as pb
    except ImportError as e:
        sys.exit("cannot import segstream.v1.mask_pb2 from %s (%s); generate it with protoc, see --help"
                 % (args.proto_dir, e))

    config = {
        "bootstrap.servers": args.bootstrap_servers,
        "group.id": "segstream-python-example-%d" % os.getpid(),
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",  # only masks of committed transactions (exactly-once)
    }
    for pair in args.settings:
        key, _, value = pair.partition("=")
        config[key] = value
    consumer = Consumer(config)
    consumer.subscribe([args.topic])
    for d in (args.dump, args.png_dir):
        if d:
            os.makedirs(d, exist_ok=True)
    seen, last = 0, time.monotonic()
    try:
        while args.max_masks == 0 or seen < args.max_masks:
            msg = consumer.poll(0.5)
            if msg is None:
                if args.idle_timeout and time.monotonic() - last > args.idle_timeout:
                    break
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaException(msg.error())
            last = time.monotonic()
            mask = pb.Mask.FromString(msg.value())
            if mask.status != pb.MASK_STATUS_OK:
                continue  # a frame live mode skipped (stale, superseded, over max.fps): no label map
            labels = labels_of(mask, pb)
            counts = np.bincount(labels.ravel(), minlength=256)
            areas = {int(c): int(counts[c]) for c in np.nonzero(counts)[0]}
            stated = {a.class_index: a.pixels for a in mask.class_areas}
            coco_mismatches = 0
            for rle in mask.coco_rle:
                binary = decode_coco_rle(rle.counts, mask.width, mask.height)
                coco_mismatches += int(np.count_nonzero(binary != (labels == rle.class_index)))
            names = list(mask.model.class_names)
            print(json.dumps({
                "camera": msg.key().decode("utf-8"),
                "sequence": mask.sequence,
                "width": mask.width,
                "height": mask.height,
                "source_width": source_size(mask)[0],
                "source_height": source_size(mask)[1],
                "areas": {str(c): n for c, n in areas.items()},
                "classes": {names[c] if c < len(names) else str(c): n for c, n in areas.items()},
                "areas_match": areas == stated,
                "coco_classes": len(mask.coco_rle),
                "coco_mismatched_pixels": coco_mismatches,
            }), flush=True)
            if args.dump:
                labels.tofile(os.path.join(args.dump, "%s-%d.labels" % (msg.key().decode("utf-8"), mask.sequence)))
            if args.png_dir:
                write_png(os.path.join(args.png_dir, "%s-%08d.png" % (msg.key().decode("utf-8"), mask.sequence)),
                          labels_at_source(labels, mask), mask)
            seen += 1
    finally:
        consumer.close()


if __name__ == "__main__":
    main()
