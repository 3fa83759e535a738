#!/usr/bin/env python3
"""Scan the .nv_fatbin section of an ELF shared object and list embedded
CUDA fatbin entries (kind 1 = PTX, 2 = ELF/cubin SASS) by architecture.
Cross-checks the header 'arch' field against the cubin's own ELF e_flags
(after LZ4-block decompression of the entry start when flagged compressed).

Which GPUs ND4J's CUDA build can run on (docs/gpu.md; the list in io.essl.spark.CudaSupport):
  mvn -B -q dependency:get -Dartifact=org.nd4j:nd4j-cuda-11.6:1.0.0-M2.1:jar:linux-x86_64 -Dtransitive=false
  unzip -o ~/.m2/repository/org/nd4j/nd4j-cuda-11.6/1.0.0-M2.1/nd4j-cuda-11.6-1.0.0-M2.1-linux-x86_64.jar \
      'org/nd4j/linalg/jcublas/bindings/linux-x86_64/*' -d /tmp/cudascan
  python3 deploy/fatbin-scan.py /tmp/cudascan/org/nd4j/linalg/jcublas/bindings/linux-x86_64/libnd4jcuda.so
"""
import struct, sys, collections

def sections(path):
    f = open(path, 'rb'); h = f.read(64)
    assert h[:4] == b'\x7fELF' and h[4] == 2
    shoff, = struct.unpack_from('<Q', h, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', h, 0x3a)
    f.seek(shoff); sh = f.read(shentsize * shnum)
    ents = [struct.unpack_from('<IIQQQQIIQQ', sh, i * shentsize) for i in range(shnum)]
    so = ents[shstrndx][4]
    f.seek(so); strtab = f.read(ents[shstrndx][5])
    out = {}
    for e in ents:
        name = strtab[e[0]:strtab.index(b'\0', e[0])].decode()
        out[name] = (e[4], e[5])   # file offset, size
    return f, out

def lz4_prefix(src, want):
    """Decompress an LZ4 raw block until at least `want` bytes are produced."""
    out = bytearray(); i = 0
    while i < len(src) and len(out) < want:
        tok = src[i]; i += 1
        ln = tok >> 4
        if ln == 15:
            while True:
                b = src[i]; i += 1; ln += b
                if b != 255: break
        out += src[i:i + ln]; i += ln
        if i >= len(src) or len(out) >= want: break
        off = src[i] | (src[i + 1] << 8); i += 2
        ml = tok & 15
        if ml == 15:
            while True:
                b = src[i]; i += 1; ml += b
                if b != 255: break
        ml += 4
        for _ in range(ml): out.append(out[-off])
    return bytes(out)

def main(path):
    f, secs = sections(path)
    off, size = secs['.nv_fatbin']
    f.seek(off); data = f.read(size)
    sass = collections.Counter(); ptx = collections.Counter(); other = collections.Counter()
    mismatch = 0; containers = 0; p = 0; compressed = 0
    while p + 16 <= len(data):
        magic, ver, hsz, fsz = struct.unpack_from('<IHHQ', data, p)
        if magic != 0xBA55ED50:
            # skip alignment padding between containers
            assert data[p:p + 8] == b'\0' * 8, f'unexpected bytes at {p:#x}'
            p += 8; continue
        containers += 1
        q = p + hsz; end = p + hsz + fsz
        while q < end:
            kind, ever, ehsz, psz = struct.unpack_from('<HHIQ', data, q)
            arch, = struct.unpack_from('<I', data, q + 28)
            flags, = struct.unpack_from('<Q', data, q + 40)
            payload = data[q + ehsz:q + ehsz + psz]
            if kind == 2:
                sass[arch] += 1
                if flags & 0x2000:
                    compressed += 1
                    payload = lz4_prefix(payload, 64)
                assert payload[:4] == b'\x7fELF', f'cubin not ELF at {q:#x}'
                eflags, = struct.unpack_from('<I', payload, 0x30)
                if (eflags & 0xff) != arch: mismatch += 1
            elif kind == 1:
                ptx[arch] += 1
            else:
                other[(kind, arch)] += 1
            q += ehsz + psz
        assert q == end, f'container at {p:#x} overran'
        p = end
    print(f'file: {path}')
    print(f'.nv_fatbin: offset {off:#x}, size {size} bytes; containers: {containers}')
    print('SASS (kind 2) per arch:', ', '.join(f'sm_{a}: {n}' for a, n in sorted(sass.items())))
    print(f'  cubins flagged compressed: {compressed}; header-arch vs cubin e_flags mismatches: {mismatch}')
    print('PTX (kind 1) per arch:', ', '.join(f'compute_{a}: {n}' for a, n in sorted(ptx.items())) or 'none')
    print('other kinds:', dict(other) or 'none')

if __name__ == '__main__':
    main(sys.argv[1])
