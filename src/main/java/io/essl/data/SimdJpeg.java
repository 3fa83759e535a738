package io.essl.data;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

/**
 * JPEG decoding through the system's libjpeg-turbo with its SIMD code (Debian's {@code libturbojpeg0}, the TurboJPEG
 * API through JNA), where it is installed: about 2x faster than the libjpeg-turbo inside OpenCV's JavaCPP build, which
 * is compiled without SIMD (docs/data.md). Found once per JVM; without it every JPEG goes through OpenCV as before.
 * {@code -Dessl.jpeg.turbojpeg=off} turns it off, {@code =<path>} names the library file.
 * <p>
 * It decodes the same way OpenCV's reader does (libjpeg's defaults: accurate integer DCT, smooth chroma upsampling,
 * the same DCT scaling), so the pixels match; what it does not do, it leaves to OpenCV by returning null: EXIF
 * orientation (the caller checks), CMYK and YCCK files, and any file libjpeg warns about (a truncated file, say),
 * so that such files keep exactly the behaviour they had.
 */
final class SimdJpeg {
    /** What {@code decode} needs of TurboJPEG 2.x (turbojpeg.h). */
    interface TurboJpeg extends Library {
        Pointer tjInitDecompress();

        int tjDecompressHeader3(Pointer handle, Pointer jpeg, NativeLong size, Pointer width, Pointer height,
                                Pointer subsamp, Pointer colorspace);

        int tjDecompress2(Pointer handle, Pointer jpeg, NativeLong size, Pointer dst, int width, int pitch, int height,
                          int pixelFormat, int flags);
    }

    private static final int TJPF_BGR = 1, TJPF_GRAY = 6, TJCS_CMYK = 3, TJCS_YCCK = 4;
    static final String PROPERTY = "essl.jpeg.turbojpeg";
    private static final Loaded LOADED = load(System.getProperty(PROPERTY, ""));
    /**
     * A TurboJPEG handle is not thread-safe: one per thread, with the thread's native buffers for the file and the
     * pixels (grown as needed, up to 64 MB each), kept for the thread's life. The buffers are JNA Memory, not Java arrays: with
     * Java arrays as arguments (JNA 4.3, the version on ND4J's classpath, Java 17) the header's sizes came back wrong
     * in the test JVM and libjpeg wrote past its destination (a JVM crash); the cause was not established.
     */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        Pointer handle;
        Memory in = new Memory(1 << 16), out = new Memory(1 << 20);
        final Memory header = new Memory(16); // width, height, subsampling, colour space

        /** Kept up to this size; a larger image (data.max-pixels allows 10^8) gets a buffer of its own, freed by GC. */
        static final long KEEP = 64L << 20;

        Memory in(int n) {
            if (n > KEEP) return new Memory(n);
            if (in.size() < n) in = new Memory(Math.max(n, Math.min(KEEP, 2 * in.size())));
            return in;
        }

        Memory out(long n) {
            if (n > KEEP) return new Memory(n);
            if (out.size() < n) out = new Memory(Math.max(n, Math.min(KEEP, 2 * out.size())));
            return out;
        }
    }

    private SimdJpeg() {
    }

    /** The library found (null when none), and in words which decoder JPEGs get. */
    record Loaded(TurboJpeg lib, String description) {
    }

    /**
     * Looks for the library: {@code setting} "off", a file path, or empty for the system's (libturbojpeg.so.0 or
     * libturbojpeg.so on the loader's path).
     */
    static Loaded load(String setting) {
        String opencv = "OpenCV's libjpeg-turbo (no SIMD)";
        if (setting.equals("off")) return new Loaded(null, opencv + "; libturbojpeg turned off (-D" + PROPERTY + "=off)");
        String[] names = setting.isEmpty() ? new String[]{"libturbojpeg.so.0", "turbojpeg"} : new String[]{setting};
        Throwable last = null;
        for (String name : names) {
            try {
                TurboJpeg lib = Native.loadLibrary(name, TurboJpeg.class);
                if (lib.tjInitDecompress() == null) continue; // never destroyed: one per probe, a few kilobytes
                return new Loaded(lib, "libturbojpeg (SIMD, " + name + ")");
            } catch (UnsatisfiedLinkError e) {
                last = e;
            }
        }
        String why = last == null ? "" : ": " + last.getMessage().lines().findFirst().orElse("");
        return new Loaded(null, opencv + "; no libturbojpeg" + why);
    }

    static boolean available() {
        return LOADED.lib != null;
    }

    /** Which decoder this JVM's JPEGs get, for provenance. */
    static String description() {
        return LOADED.description;
    }

    /**
     * Decodes a JPEG to {@code channels} (1 or 3) channel-major pixels at 1/{@code reduction} of its size (rounded
     * up, as libjpeg scales), or null when this decoder leaves the file to OpenCV (see the class comment). The
     * caller has checked that the file is a JPEG without an EXIF rotation.
     */
    static ImageRecord decode(TurboJpeg lib, byte[] jpeg, long id, int label, int channels, int reduction) {
        if (lib == null) return null;
        Scratch s = SCRATCH.get();
        if (s.handle == null) s.handle = lib.tjInitDecompress();
        Pointer h = s.handle;
        Memory in = s.in(jpeg.length);
        in.write(0, jpeg, 0, jpeg.length);
        NativeLong size = new NativeLong(jpeg.length);
        Memory header = s.header;
        if (lib.tjDecompressHeader3(h, in, size, header, header.share(4), header.share(8), header.share(12)) != 0) return null;
        int cs = header.getInt(12);
        if (cs == TJCS_CMYK || cs == TJCS_YCCK) return null; // OpenCV converts these (Adobe's inverted CMYK too)
        int width = (header.getInt(0) + reduction - 1) / reduction, height = (header.getInt(4) + reduction - 1) / reduction;
        Memory dst = s.out((long) channels * width * height);
        int rc = lib.tjDecompress2(h, in, size, dst, width, channels * width, height, channels == 1 ? TJPF_GRAY : TJPF_BGR, 0);
        if (rc != 0) return null; // an error, or a warning such as a premature end: OpenCV's behaviour stands
        if (channels == 1) {
            byte[] out = new byte[width * height];
            dst.read(0, out, 0, out.length);
            return new ImageRecord(id, label, 1, height, width, out);
        }
        // interleaved BGR to planes by OpenCV's SIMD split, reading the native buffer in place (a Java loop over
        // the bytes took a fifth of bench decode's time)
        try (BytePointer bytes = new BytePointer(dst.getByteBuffer(0, 3L * width * height));
             Mat m = new Mat(height, width, CV_8UC3, bytes)) {
            return TurboDecoder.fromBgr(m, id, label);
        }
    }

    /** The JVM's library (null without one). */
    static TurboJpeg lib() {
        return LOADED.lib;
    }
}
