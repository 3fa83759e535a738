#!/usr/bin/env python3
"""Writes the small image files ImageDecoderTest reads (run once; the outputs are committed).

Each is 8 x 4 pixels (width x height) unless said otherwise, a left half red (255, 0, 0) and a right half
blue (0, 0, 255), with the top-left pixel white: orientation and colour can be checked after decoding."""
import io
import struct
import zlib
from PIL import Image

def base():
    im = Image.new("RGB", (8, 4), (255, 0, 0))
    for x in range(4, 8):
        for y in range(4):
            im.putpixel((x, y), (0, 0, 255))
    im.putpixel((0, 0), (255, 255, 255))
    return im

im = base()
im.save("rgb.png")
im.save("rgb.jpg", quality=100, subsampling=0)
im.save("progressive.jpg", quality=100, subsampling=0, progressive=True)
im.convert("CMYK").save("cmyk.jpg", quality=100, subsampling=0)
im.convert("L").save("gray.png")
im.convert("P", palette=Image.ADAPTIVE, colors=4).save("palette.png")
# EXIF orientation 6: the stored pixels must be turned 90 degrees clockwise to display. Store the base image
# turned 90 degrees counter-clockwise, so that decoding with the tag gives the base image back.
exif = Image.Exif()
exif[0x0112] = 6
im.transpose(Image.Transpose.ROTATE_90).save("exif-orientation-6.jpg", quality=100, subsampling=0, exif=exif.tobytes())

data = open("rgb.jpg", "rb").read()
open("truncated.jpg", "wb").write(data[: len(data) // 2])
# Complete on the outside (SOI ... EOI), garbage inside.
open("corrupt.jpg", "wb").write(data[:20] + bytes(range(256)) * 4 + b"\xff\xd9")
open("empty.jpg", "wb").write(b"")
open("not-an-image.jpg", "wb").write(b"This is a text file, not an image.\n" * 10)
open("png-named.jpg", "wb").write(open("rgb.png", "rb").read())

# A valid PNG header that claims 100000 x 100000 pixels (10^10), with one tiny compressed row.
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")
open("huge.png", "wb").write(png)

# A format OpenCV does not read (the decode-on-use path falls back to ImageIO for it).
base().save("palette.gif")
