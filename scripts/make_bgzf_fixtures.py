#!/usr/bin/env python3
"""Generate the BGZF / gzip test fixtures in Tests/BGZFTests/Fixtures/.

Usage:  python3 scripts/make_bgzf_fixtures.py        (from anywhere; Python 3 standard library only)

The output is deterministic (fixed text, gzip mtime 0, zlib level 6), so running the script again with the same
zlib gives byte-identical files. The block offsets that the Swift tests assert (Tests/BGZFTests/FixtureLayout.swift)
are printed and written to Fixtures/README.md; if a different zlib ever changes the compressed sizes, update that
Swift file from the README.

Files written (see Fixtures/README.md for the offsets):
  text.txt                  ~136 KB of text lines: the uncompressed reference (spans three 0xff00-byte blocks).
  text.bgz                  BGZF of text.txt from the writer below (blocks of <= 0xff00 bytes, BC subfield, CRC32,
                            ISIZE, 28-byte EOF marker). Checked against `bgzip -dc` (htslib) when bgzip is installed.
  extra-subfield-first.bgz  Same data, but each block's extra field holds an 'XY' subfield (4 bytes) BEFORE 'BC'.
  empty-blocks.bgz          Blocks of uneven sizes with empty (ISIZE 0) blocks in the middle, plus the EOF marker.
  no-eof.bgz                text.bgz without its EOF marker.
  truncated.bgz             text.bgz cut in the middle of block 2.
  bad-crc.bgz               text.bgz with the first byte of block 2's stored CRC32 inverted.
  corrupt-deflate.bgz       text.bgz with the first 4 DEFLATE bytes of block 2 set to 0xff (BTYPE 11: invalid).
  wrong-isize.bgz           text.bgz with ISIZE of block 1 lowered by 1000 (data inflates to more than ISIZE).
  isize-too-large.bgz       text.bgz with ISIZE of block 1 raised by 200 (data inflates to less than ISIZE).
  isize-zero.bgz            text.bgz with ISIZE of block 2 set to 0 (a non-empty block claiming to be empty).
  plain.gz                  gzip.compress(text.txt), one member, no FEXTRA.
  multi-member.gz           Two gzip members: first half of text.txt, then the second half.
  truncated.gz              plain.gz cut to half its length.

Blocks are numbered from 1 in file order: block 1 starts at byte 0.
"""
import gzip
import os
import shutil
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "BGZFTests", "Fixtures")

BLOCK_PAYLOAD = 0xFF00  # what htslib puts in one block
EOF_MARKER = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def make_text():
    """Deterministic lines of uneven length; numbered so that a lost, repeated or reordered block is visible."""
    templates = [
        "ACGTTGCA" * 70,
        "GATTACA" * 60 + "N" * 80,
        "the quick brown fox jumps over the lazy dog; " * 11,
        "0123456789" * 50,
    ]
    lines = []
    total = 0
    i = 0
    while total < 136_000:
        t = templates[i % len(templates)]
        line = f"{i:05d}\tchr{1 + i % 22}\t{t[:len(t) - (i * 7) % 90]}\n"
        lines.append(line)
        total += len(line)
        i += 1
    return "".join(lines).encode("ascii")


def deflate_raw(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY)
    return c.compress(data) + c.flush()


def bgzf_block(data, extra_before=b""):
    """One BGZF block: gzip header with FEXTRA, `extra_before` subfields, then BC; raw DEFLATE; CRC32; ISIZE."""
    assert len(data) <= 0x10000
    payload = deflate_raw(data)
    xlen = len(extra_before) + 6
    total = 12 + xlen + len(payload) + 8
    assert total <= 0x10000, total
    header = (
        b"\x1f\x8b\x08\x04"  # magic, CM=deflate, FLG=FEXTRA
        + b"\x00\x00\x00\x00"  # MTIME
        + b"\x00\xff"  # XFL, OS=unknown
        + struct.pack("<H", xlen)
        + extra_before
        + b"BC" + struct.pack("<HH", 2, total - 1)
    )
    return header + payload + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data))


def bgzf(chunks, extra_before=b"", eof=True):
    """Returns (file bytes, [offset of each block]) for the given payload chunks."""
    out = bytearray()
    offsets = []
    for chunk in chunks:
        offsets.append(len(out))
        out += bgzf_block(chunk, extra_before)
    if eof:
        offsets.append(len(out))
        out += EOF_MARKER
    return bytes(out), offsets


def split(data, size):
    return [data[i:i + size] for i in range(0, len(data), size)]


def block_spans(data):
    """Walks standard 18-byte headers: [(offset, total size)]."""
    spans = []
    p = 0
    while p < len(data):
        assert data[p:p + 4] == b"\x1f\x8b\x08\x04" and data[p + 12:p + 14] == b"BC"
        size = struct.unpack_from("<H", data, p + 16)[0] + 1
        spans.append((p, size))
        p += size
    return spans


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def check_with_bgzip(name, expected):
    """Decodes with htslib's bgzip (if installed) and asserts it gives `expected`."""
    if shutil.which("bgzip") is None:
        print(f"  bgzip not found: skipped the htslib check of {name}")
        return
    run = subprocess.run(["bgzip", "-dc", os.path.join(OUT, name)], capture_output=True)
    if run.returncode != 0 or run.stdout != expected:
        sys.exit(f"bgzip -dc {name} does not give the expected bytes: rc {run.returncode}, "
                 f"{len(run.stdout)} bytes, stderr {run.stderr.decode(errors='replace').strip()}")
    print(f"  bgzip -dc {name}: identical ({len(expected)} bytes)")


def bgzip_verdict(name):
    """What bgzip says about a damaged file (informational only)."""
    if shutil.which("bgzip") is None:
        return "bgzip not installed"
    run = subprocess.run(["bgzip", "-dc", os.path.join(OUT, name)], capture_output=True)
    message = run.stderr.decode(errors="replace").strip().replace("\n", " / ")
    return f"rc {run.returncode}, {len(run.stdout)} bytes out" + (f", `{message}`" if message else "")


def main():
    os.makedirs(OUT, exist_ok=True)
    text = make_text()
    write("text.txt", text)

    # Valid BGZF files.
    chunks = split(text, BLOCK_PAYLOAD)
    assert len(chunks) == 3
    good, offsets = bgzf(chunks)
    assert [o for o, _ in block_spans(good)] == offsets
    assert gzip.decompress(good) == text
    write("text.bgz", good)
    spans = block_spans(good)

    extra, extra_offsets = bgzf(chunks, extra_before=b"XY" + struct.pack("<H", 4) + b"tlr1")
    assert gzip.decompress(extra) == text
    write("extra-subfield-first.bgz", extra)

    uneven = [text[:1000], b"", text[1000:66280], b"", b"", text[66280:96280], b"", text[96280:]]
    empty_blocks, empty_offsets = bgzf(uneven)
    assert gzip.decompress(empty_blocks) == text
    write("empty-blocks.bgz", empty_blocks)

    # Damaged copies of text.bgz.
    b1, b2 = spans[0], spans[1]
    write("no-eof.bgz", good[:-len(EOF_MARKER)])
    truncated_at = b2[0] + b2[1] // 2
    write("truncated.bgz", good[:truncated_at])

    damaged = bytearray(good)
    crc_at = b2[0] + b2[1] - 8
    damaged[crc_at] ^= 0xFF
    write("bad-crc.bgz", bytes(damaged))
    stored_crc = struct.unpack_from("<I", damaged, crc_at)[0]
    true_crc = zlib.crc32(chunks[1]) & 0xFFFFFFFF

    damaged = bytearray(good)
    deflate_at = b2[0] + 18
    damaged[deflate_at:deflate_at + 4] = b"\xff" * 4
    write("corrupt-deflate.bgz", bytes(damaged))

    def with_isize(block, isize):
        d = bytearray(good)
        struct.pack_into("<I", d, block[0] + block[1] - 4, isize)
        return bytes(d)

    write("wrong-isize.bgz", with_isize(b1, len(chunks[0]) - 1000))
    write("isize-too-large.bgz", with_isize(b1, len(chunks[0]) + 200))
    write("isize-zero.bgz", with_isize(b2, 0))

    # Plain gzip.
    plain = gzip.compress(text, compresslevel=6, mtime=0)
    write("plain.gz", plain)
    half = len(text) // 2
    multi = gzip.compress(text[:half], compresslevel=6, mtime=0)
    second_member_at = len(multi)
    multi += gzip.compress(text[half:], compresslevel=6, mtime=0)
    write("multi-member.gz", multi)
    write("truncated.gz", plain[:len(plain) // 2])

    print("htslib cross-check:")
    for name in ["text.bgz", "extra-subfield-first.bgz", "empty-blocks.bgz", "no-eof.bgz"]:
        check_with_bgzip(name, text)
    verdicts = {name: bgzip_verdict(name) for name in
                ["no-eof.bgz", "truncated.bgz", "bad-crc.bgz", "corrupt-deflate.bgz", "wrong-isize.bgz", "isize-too-large.bgz",
                 "isize-zero.bgz", "truncated.gz"]}

    sizes = {name: os.path.getsize(os.path.join(OUT, name)) for name in sorted(os.listdir(OUT)) if name != "README.md"}
    line_count = text.count(b"\n")
    readme = f"""# BGZF test fixtures

Generated by `scripts/make_bgzf_fixtures.py` (Python 3 standard library only, deterministic). Regenerate with

    python3 scripts/make_bgzf_fixtures.py

and, if the block offsets below change (a different zlib can compress differently), update
`Tests/BGZFTests/FixtureLayout.swift` to match. Blocks are numbered from 1 in file order; all offsets are byte offsets
in the compressed file.

## Reference data

- `text.txt`: {len(text)} bytes, {line_count} numbered lines of uneven length. Payload of 0xff00-byte blocks:
  {', '.join(str(len(c)) for c in chunks)} bytes.

## Valid files (all decode to `text.txt`)

| file | blocks (offset:size) |
|---|---|
| `text.bgz` | {', '.join(f'{o}:{s}' for o, s in spans)} (last = 28-byte EOF marker); {len(good)} bytes |
| `extra-subfield-first.bgz` | offsets {', '.join(map(str, extra_offsets))}; every header has XLEN 14: subfield `XY` (SLEN 4, "tlr1") then `BC` |
| `empty-blocks.bgz` | offsets {', '.join(map(str, empty_offsets))}; payload sizes {', '.join(str(len(c)) for c in uneven)}, then EOF |
| `plain.gz` | one gzip member, no FEXTRA; {len(plain)} bytes |
| `multi-member.gz` | member 1 = first {half} bytes of text (bytes 0..<{second_member_at}), member 2 = the rest (from byte {second_member_at}) |

`text.bgz`, `extra-subfield-first.bgz`, `empty-blocks.bgz` and `no-eof.bgz` were checked with htslib `bgzip -dc`.

## Damaged files (copies of `text.bgz` unless stated)

| file | damage | block offset | htslib `bgzip -dc` says |
|---|---|---|---|
| `no-eof.bgz` | last 28 bytes (EOF marker) removed; {len(good) - 28} bytes | - | {verdicts['no-eof.bgz']} |
| `truncated.bgz` | cut at byte {truncated_at}, inside block 2 ({b2[0]}:{b2[1]}) | {b2[0]} | {verdicts['truncated.bgz']} |
| `bad-crc.bgz` | byte {crc_at} (first CRC32 byte of block 2) inverted: stored 0x{stored_crc:08x}, true 0x{true_crc:08x} | {b2[0]} | {verdicts['bad-crc.bgz']} |
| `corrupt-deflate.bgz` | bytes {deflate_at}..<{deflate_at + 4} (first DEFLATE bytes of block 2) = ff | {b2[0]} | {verdicts['corrupt-deflate.bgz']} |
| `wrong-isize.bgz` | ISIZE of block 1 = {len(chunks[0]) - 1000} (true {len(chunks[0])}) | {b1[0]} | {verdicts['wrong-isize.bgz']} |
| `isize-too-large.bgz` | ISIZE of block 1 = {len(chunks[0]) + 200} (true {len(chunks[0])}) | {b1[0]} | {verdicts['isize-too-large.bgz']} |
| `isize-zero.bgz` | ISIZE of block 2 = 0 (true {len(chunks[1])}) | {b2[0]} | {verdicts['isize-zero.bgz']} |
| `truncated.gz` | `plain.gz` cut to its first {len(plain) // 2} bytes | - | {verdicts['truncated.gz']} |

## Sizes

{chr(10).join(f'- `{n}`: {s} bytes' for n, s in sizes.items())}
- total: {sum(sizes.values())} bytes
"""
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write(readme)
    print(readme)


if __name__ == "__main__":
    main()
