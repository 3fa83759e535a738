package io.essl.data;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.split;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * The fast decoder of the training and probe paths: JPEGs through the system's SIMD libjpeg-turbo where it is
 * installed ({@link SimdJpeg}); everything else, and JPEGs without it, through OpenCV's {@code imdecode}
 * (libjpeg-turbo built without SIMD, libpng). Both decode a JPEG at 1/2, 1/4 or 1/8 of its size by DCT scaling, at
 * a fraction of the cost of a full decode. It decodes files that {@link ImageDecoder} has already checked (at
 * ingest, or when a folder is first read); anything OpenCV cannot decode (GIF, for one) returns null and the caller
 * uses ImageDecoder. Like the checking decoder it picks the format by the file's signature (it is never given a
 * name), so a PNG named .JPEG decodes as a PNG here too.
 */
public final class TurboDecoder {
    private TurboDecoder() {
    }

    /**
     * Decodes to {@code channels} (1 or 3) channel-major pixels at about 1/{@code reduction} of the size
     * (1, 2, 4 or 8; the result's size says what was decoded), upright by the EXIF orientation; null if OpenCV
     * cannot decode the file.
     */
    public static ImageRecord decode(byte[] bytes, long id, int label, int channels, int reduction) {
        flag(channels, reduction); // the same argument check on both paths
        if (isJpeg(bytes) && SimdJpeg.available() && ImageDecoder.exifOrientation(bytes) == 1) {
            ImageRecord r = SimdJpeg.decode(SimdJpeg.lib(), bytes, id, label, channels, reduction);
            if (r != null) return r;
        }
        return openCv(bytes, id, label, channels, reduction);
    }

    /** Which decoder this JVM's JPEGs get (provenance): the SIMD libturbojpeg, or OpenCV's and why. */
    public static String jpegDecoder() {
        return SimdJpeg.description();
    }

    private static boolean isJpeg(byte[] b) {
        return b.length > 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff;
    }

    /** OpenCV's decoder alone (every format it reads; the fallback of the SIMD JPEG path). */
    static ImageRecord openCv(byte[] bytes, long id, int label, int channels, int reduction) {
        try (BytePointer data = new BytePointer(bytes);
             Mat buf = new Mat(1, bytes.length, CV_8UC1, data);
             Mat m = imdecode(buf, flag(channels, reduction))) {
            if (m == null || m.empty()) return null;
            if (channels == 1) {
                byte[] px = new byte[m.rows() * m.cols()];
                m.data().get(px);
                return new ImageRecord(id, label, 1, m.rows(), m.cols(), px);
            }
            return fromBgr(m, id, label);
        }
    }

    /** Interleaved 8-bit BGR pixels (OpenCV's order) as an RGB channel-major image: OpenCV's SIMD split. */
    static ImageRecord fromBgr(Mat m, long id, int label) {
        int h = m.rows(), w = m.cols(), plane = h * w;
        byte[] px = new byte[3 * plane];
        try (MatVector bgr = new MatVector()) {
            split(m, bgr);
            for (int c = 0; c < 3; c++) bgr.get(2 - c).data().get(px, c * plane, plane);
        }
        return new ImageRecord(id, label, 3, h, w, px);
    }

    private static int flag(int channels, int reduction) {
        boolean grey = channels == 1;
        return switch (reduction) {
            case 1 -> grey ? IMREAD_GRAYSCALE : IMREAD_COLOR;
            case 2 -> grey ? IMREAD_REDUCED_GRAYSCALE_2 : IMREAD_REDUCED_COLOR_2;
            case 4 -> grey ? IMREAD_REDUCED_GRAYSCALE_4 : IMREAD_REDUCED_COLOR_4;
            case 8 -> grey ? IMREAD_REDUCED_GRAYSCALE_8 : IMREAD_REDUCED_COLOR_8;
            default -> throw new IllegalArgumentException("reduction must be 1, 2, 4 or 8: " + reduction);
        };
    }
}
