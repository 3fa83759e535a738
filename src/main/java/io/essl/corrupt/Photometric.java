package io.essl.corrupt;

import io.essl.augment.FloatImage;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.plugins.jpeg.JPEGQTable;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** Brightness, contrast, fog, pixelate and JPEG (Hendrycks & Dietterich's CIFAR-10-C definitions). */
final class Photometric {
    private Photometric() {
    }

    /**
     * HSV value + shift, clipped; hue and saturation kept, so each RGB pixel scales by V' / V (a black pixel becomes
     * grey V'). On one channel: x + shift.
     */
    static FloatImage brightness(FloatImage img, double shift) {
        int c = img.channels(), plane = img.height() * img.width();
        float[] in = img.data(), out = new float[in.length];
        for (int p = 0; p < plane; p++) {
            float v = 0;
            for (int ch = 0; ch < c; ch++) v = Math.max(v, in[ch * plane + p]);
            float v2 = Noise.clip(v + shift);
            for (int ch = 0; ch < c; ch++) out[ch * plane + p] = v > 0 ? in[ch * plane + p] * v2 / v : v2;
        }
        return Noise.like(img, out);
    }

    /** Each channel's deviations from its mean scaled by {@code factor}, clipped. */
    static FloatImage contrast(FloatImage img, double factor) {
        int c = img.channels(), plane = img.height() * img.width();
        float[] in = img.data(), out = new float[in.length];
        for (int ch = 0; ch < c; ch++) {
            double mean = 0;
            for (int p = 0; p < plane; p++) mean += in[ch * plane + p];
            mean /= plane;
            for (int p = 0; p < plane; p++) out[ch * plane + p] = Noise.clip((in[ch * plane + p] - mean) * factor + mean);
        }
        return Noise.like(img, out);
    }

    /**
     * Haze: x + strength * a plasma fractal in [0, 1] (decay: how fast its detail fades), then rescaled by
     * max / (max + strength) with max the clean image's maximum, clipped.
     */
    static FloatImage fog(FloatImage img, double strength, double decay, SplittableRandom rnd) {
        int h = img.height(), w = img.width(), c = img.channels();
        int size = Integer.highestOneBit(Math.max(h, w) - 1) << 1; // a power of two at least the image side
        double[][] fractal = Plasma.fractal(size, decay, rnd);
        float[] in = img.data(), out = new float[in.length];
        float max = 0;
        for (float v : in) max = Math.max(max, v);
        double scale = max / (max + strength);
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = (ch * h + y) * w + x;
                    out[i] = Noise.clip((in[i] + strength * fractal[y][x]) * scale);
                }
            }
        }
        return Noise.like(img, out);
    }

    /** Down to floor(side * factor) and back up, both with PIL's box filter (blocks of near-constant value). */
    static FloatImage pixelate(FloatImage img, double factor) {
        int h = img.height(), w = img.width();
        FloatImage small = Resample.box(img, (int) (h * factor), (int) (w * factor));
        return Resample.box(small, h, w);
    }

    /**
     * libjpeg's jpeg_set_quality (what PIL's quality means): the JPEG standard's table scaled by 5000 / q percent below
     * 50, 200 - 2q above, rounded, kept in 1..255 (baseline). ImageIO's own quality scale differs, so the tables are
     * given explicitly.
     */
    static JPEGQTable ijg(JPEGQTable standard, int quality) {
        int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
        int[] t = standard.getTable();
        for (int i = 0; i < t.length; i++) t[i] = Math.min(255, Math.max(1, (t[i] * scale + 50) / 100));
        return new JPEGQTable(t);
    }

    /** Encoded as JPEG at this quality (libjpeg's 1-100 scale, as PIL's) and decoded again, through ImageIO. */
    static FloatImage jpeg(FloatImage img, int quality) {
        int c = img.channels(), h = img.height(), w = img.width(), plane = h * w;
        BufferedImage bi = img.toBufferedImage();
        float[] in = img.data();
        try {
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(encode(bi, quality)));
            float[] out = new float[in.length];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = y * w + x;
                    if (c == 1) {
                        out[p] = back.getRaster().getSample(x, y, 0) / 255f;
                    } else {
                        int rgb = back.getRGB(x, y);
                        out[p] = (rgb >> 16 & 0xff) / 255f;
                        out[plane + p] = (rgb >> 8 & 0xff) / 255f;
                        out[2 * plane + p] = (rgb & 0xff) / 255f;
                    }
                }
            }
            return Noise.like(img, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JPEG file of an 8-bit image with libjpeg's tables for this quality. */
    static byte[] encode(BufferedImage bi, int quality) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        // the stream's quantisation tables (DQT), replaced by libjpeg's for this quality: 0 luma, 1 chroma
        IIOMetadata meta = writer.getDefaultImageMetadata(new ImageTypeSpecifier(bi), param);
        String format = "javax_imageio_jpeg_image_1.0";
        Node root = meta.getAsTree(format);
        NodeList tables = ((Element) root).getElementsByTagName("dqtable");
        for (int i = 0; i < tables.getLength(); i++) {
            IIOMetadataNode t = (IIOMetadataNode) tables.item(i);
            boolean luma = "0".equals(t.getAttribute("qtableId"));
            t.setUserObject(ijg(luma ? JPEGQTable.K1Luminance : JPEGQTable.K2Chrominance, quality));
        }
        meta.setFromTree(format, root);
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(bi, null, meta), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
