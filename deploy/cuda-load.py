#!/usr/bin/env python3
"""What the CUDA driver says to a module on device 0 (docs/gpu.md: ND4J's fatbins on an H200).
Load CUDA modules on device 0 through the driver API (libcuda.so.1) and print what the driver answers.
Usage: deploy/cuda-load.py FILE... [KERNEL=name]   (cubin, fatbin container or PTX text; a module that loads gets its first kernel
named in argv KERNEL=name launched once)."""
import ctypes, sys
cu = ctypes.CDLL('libcuda.so.1')
def name(r):
    s = ctypes.c_char_p(); cu.cuGetErrorName(r, ctypes.byref(s)); return f'{r} {s.value.decode() if s.value else "?"}'
def check(r, what):
    if r != 0: raise SystemExit(f'{what}: {name(r)}')
check(cu.cuInit(0), 'cuInit')
dev = ctypes.c_int(); check(cu.cuDeviceGet(ctypes.byref(dev), 0), 'cuDeviceGet')
maj, mnr, ver = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
cu.cuDeviceGetAttribute(ctypes.byref(maj), 75, dev); cu.cuDeviceGetAttribute(ctypes.byref(mnr), 76, dev)
cu.cuDriverGetVersion(ctypes.byref(ver))
nm = ctypes.create_string_buffer(100); cu.cuDeviceGetName(nm, 100, dev)
print(f'device 0: {nm.value.decode()}, compute capability {maj.value}.{mnr.value}, driver API {ver.value}')
ctx = ctypes.c_void_p(); check(cu.cuDevicePrimaryCtxRetain(ctypes.byref(ctx), dev), 'ctx'); check(cu.cuCtxSetCurrent(ctx), 'set')
kernel = next((a.split('=', 1)[1] for a in sys.argv[1:] if a.startswith('KERNEL=')), None)
for path in [a for a in sys.argv[1:] if not a.startswith('KERNEL=')]:
    data = open(path, 'rb').read()
    if path.endswith('.ptx'): data += b'\0'
    mod = ctypes.c_void_p()
    r = cu.cuModuleLoadData(ctypes.byref(mod), ctypes.c_char_p(data))
    line = f'cuModuleLoadData({path}, {len(data)} bytes): {name(r)}'
    if r == 0 and kernel:
        fn = ctypes.c_void_p()
        r2 = cu.cuModuleGetFunction(ctypes.byref(fn), mod, kernel.encode())
        if r2 == 0:
            buf = ctypes.c_uint64(); check(cu.cuMemAlloc_v2(ctypes.byref(buf), 4), 'alloc')
            arg = ctypes.c_uint64(buf.value); params = (ctypes.c_void_p * 1)(ctypes.addressof(arg))
            r3 = cu.cuLaunchKernel(fn, 1, 1, 1, 1, 1, 1, 0, None, params, None)
            cu.cuCtxSynchronize(); out = ctypes.c_int(); cu.cuMemcpyDtoH_v2(ctypes.byref(out), buf, 4)
            line += f'; launch {kernel}: {name(r3)}, wrote {out.value}'
    print(line)
