package io.essl.data;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decodes one image file to 8-bit channel-major pixels, or says why not. Decoding is ImageIO's with the
 * TwelveMonkeys JPEG plug-in (CMYK and YCCK JPEGs, which the JDK's reader refuses; progressive and baseline JPEG,
 * PNG with palette, grey levels or alpha, GIF, BMP). JPEGs are turned upright by their EXIF orientation.
 * <p>
 * A bad file is never fatal: it comes back as a {@link Skip} reason, which callers count and list. The format is
 * the content's (ImageIO picks the reader by the file's signature; the name only raises a {@link Warning}), so a
 * PNG named .JPEG decodes as the PNG it is. The size is read from the header before any pixel is decoded, so a
 * file claiming huge dimensions costs nothing.
 */
public final class ImageDecoder implements Serializable {
    /**
     * Why a file was skipped (the names are the report's keys): only what no decoder can read. A file's format is
     * decided by its content, never by its name.
     */
    public enum Skip {
        EMPTY, NOT_AN_IMAGE, TOO_LARGE, TRUNCATED, CORRUPT;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Something odd about a good image, reported but not held against it: RENAMED, a known image extension with
     * another format inside (ImageNet's training set holds a PNG named .JPEG).
     */
    public enum Warning {
        RENAMED;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Either an image (perhaps with a warning) or the reason it was skipped; {@code detail} says more about the
     * skip or the warning, for the report.
     */
    public record Result(ImageRecord image, Skip skip, Warning warning, String detail) implements Serializable {
        public boolean ok() {
            return image != null;
        }

        public static Result skipped(Skip why, String detail) {
            return new Result(null, why, null, detail);
        }

        /** The report's key of the skip or the warning; null for a good image without a warning. */
        public String reason() {
            return skip != null ? skip.key() : warning != null ? warning.key() : null;
        }
    }

    private static final Map<String, String> FORMAT_OF_EXTENSION = Map.of("jpg", "jpeg", "jpeg", "jpeg",
            "jpe", "jpeg", "png", "png", "gif", "gif", "bmp", "bmp");

    static {
        ImageIO.scanForPlugins(); // the TwelveMonkeys reader inside a shaded jar or a Spark executor's class loader
        ImageIO.setUseCache(false);
    }

    private final int channels;
    private final long maxPixels;

    /** @param channels 1 (grey levels, ITU-R 601 luma as PIL computes it) or 3 (RGB) */
    public ImageDecoder(int channels, long maxPixels) {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3: " + channels);
        this.channels = channels;
        this.maxPixels = maxPixels;
    }

    public Result decode(byte[] bytes, String name, long id, int label) {
        if (bytes.length == 0) return Result.skipped(Skip.EMPTY, "0 bytes");
        ImageReader reader = null;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) return Result.skipped(Skip.NOT_AN_IMAGE, "no image format recognised");
            reader = readers.next();
            String format = reader.getFormatName().toLowerCase(Locale.ROOT);
            String ext = extension(name);
            String expected = FORMAT_OF_EXTENSION.get(ext.toLowerCase(Locale.ROOT));
            String renamed = expected != null && !expected.equals(format) ? "a " + format + " file named ." + ext : null;
            reader.setInput(in, true, true);
            long w = reader.getWidth(0), h = reader.getHeight(0);
            if (w * h > maxPixels) return Result.skipped(Skip.TOO_LARGE, w + "x" + h + " pixels");
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((IIOReadWarningListener) (r, warning) -> warnings.add(warning));
            BufferedImage image = reader.read(0);
            // libjpeg decodes what is there and fills the rest with grey, with a warning: the image is damaged.
            // (Other warnings, such as a CMYK JPEG without an ICC profile, leave a usable image.)
            for (String warning : warnings) {
                String lower = warning.toLowerCase(Locale.ROOT);
                if (lower.contains("premature end") || lower.contains("corrupt")) return damaged(bytes, format, warning);
            }
            int orientation = format.equals("jpeg") ? exifOrientation(bytes) : 1;
            return new Result(toRecord(image, orientation, id, label), null, renamed == null ? null : Warning.RENAMED,
                    renamed);
        } catch (IOException | RuntimeException e) {
            return damaged(bytes, guessFormat(bytes), e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            if (reader != null) reader.dispose();
        }
    }

    /** A file that did not decode cleanly: truncated when its format's end marker is missing, else corrupt. */
    private static Result damaged(byte[] bytes, String format, String detail) {
        int n = bytes.length;
        boolean ended = switch (format) {
            case "jpeg" -> n >= 2 && (bytes[n - 2] & 0xff) == 0xFF && (bytes[n - 1] & 0xff) == 0xD9; // EOI
            case "png" -> n >= 8 && new String(bytes, n - 8, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("IEND");
            default -> true;
        };
        return Result.skipped(ended ? Skip.CORRUPT : Skip.TRUNCATED, detail);
    }

    private static String guessFormat(byte[] b) {
        if (b.length >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8) return "jpeg";
        if (b.length >= 4 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return "png";
        return "";
    }

    /** As named (the report shows ".JPEG" for ".JPEG"); compared in lower case. */
    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1);
    }

    /** EXIF orientation tag (1..8) of a JPEG; 1 (upright) when absent or unreadable. */
    static int exifOrientation(byte[] jpeg) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(jpeg))) {
            for (JPEGSegment s : JPEGSegmentUtil.readSegments(in, JPEG.APP1, "Exif")) {
                byte[] data = s.data().readAllBytes();
                int start = data.length > 0 && data[0] == 0 ? 1 : 0; // "Exif\0" is followed by one pad byte
                try (ImageInputStream tiff = ImageIO.createImageInputStream(
                        new ByteArrayInputStream(data, start, data.length - start))) {
                    Directory exif = new TIFFReader().read(tiff);
                    Entry e = exif.getEntryById(274); // TIFF tag Orientation
                    if (e != null && e.getValue() instanceof Number n && n.intValue() >= 1 && n.intValue() <= 8) {
                        return n.intValue();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable EXIF block leaves the image as stored
        }
        return 1;
    }

    /** Pixels as stored, turned upright by the EXIF orientation, in the decoder's channel count. */
    private ImageRecord toRecord(BufferedImage image, int orientation, long id, int label) {
        int w = image.getWidth(), h = image.getHeight();
        int[] argb;
        if (!(image.getColorModel() instanceof java.awt.image.IndexColorModel) && image.getRaster().getNumBands() <= 2) {
            // Grey levels (with or without alpha): the stored values. getRGB would treat them as linear light
            // and brighten them (Java2D's grey colour space is linear, PNG's and JPEG's are not).
            java.awt.image.Raster raster = image.getRaster();
            int shift = Math.max(0, image.getColorModel().getComponentSize(0) - 8);
            argb = new int[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = raster.getSample(x, y, 0) >> shift;
                    argb[y * w + x] = (v << 16) | (v << 8) | v;
                }
            }
        } else if (image.getType() == BufferedImage.TYPE_3BYTE_BGR
                && image.getRaster().getDataBuffer() instanceof java.awt.image.DataBufferByte bytes
                && image.getRaster().getSampleModel() instanceof java.awt.image.PixelInterleavedSampleModel sm
                && sm.getScanlineStride() == 3 * w && image.getRaster().getSampleModelTranslateX() == 0
                && image.getRaster().getSampleModelTranslateY() == 0) {
            // What ImageIO's JPEG reader returns for colour JPEGs: read the bytes, not pixel by pixel through
            // the colour model (decode + crop went from 174 to 296-311 images/s with this).
            byte[] bgr = bytes.getData();
            argb = new int[w * h];
            for (int i = 0, j = 0; i < argb.length; i++, j += 3) {
                argb[i] = ((bgr[j + 2] & 0xff) << 16) | ((bgr[j + 1] & 0xff) << 8) | (bgr[j] & 0xff);
            }
        } else {
            argb = image.getRGB(0, 0, w, h, null, 0, w); // any colour model, palette and alpha included
        }
        boolean swap = orientation >= 5; // orientations 5-8 transpose the image
        int ow = swap ? h : w, oh = swap ? w : h;
        byte[] px = new byte[channels * ow * oh];
        int plane = ow * oh;
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int c;
                if (orientation == 1) {
                    c = argb[y * w + x];
                } else {
                    int[] src = source(orientation, x, y, w, h);
                    c = argb[src[1] * w + src[0]];
                }
                int r = (c >> 16) & 0xff, g = (c >> 8) & 0xff, b = c & 0xff;
                int i = y * ow + x;
                if (channels == 3) {
                    px[i] = (byte) r;
                    px[plane + i] = (byte) g;
                    px[2 * plane + i] = (byte) b;
                } else {
                    px[i] = (byte) ((r * 299 + g * 587 + b * 114 + 500) / 1000);
                }
            }
        }
        return new ImageRecord(id, label, channels, oh, ow, px);
    }

    /**
     * Where output pixel (x, y) of the upright image comes from in the stored w x h image, for EXIF orientation
     * o: 2 mirrors, 3 turns 180, 4 flips, 5 transposes, 6 turns 90 clockwise, 7 transverses, 8 turns 90
     * counter-clockwise.
     */
    static int[] source(int o, int x, int y, int w, int h) {
        return switch (o) {
            case 2 -> new int[]{w - 1 - x, y};
            case 3 -> new int[]{w - 1 - x, h - 1 - y};
            case 4 -> new int[]{x, h - 1 - y};
            case 5 -> new int[]{y, x};
            case 6 -> new int[]{y, h - 1 - x};
            case 7 -> new int[]{w - 1 - y, h - 1 - x};
            case 8 -> new int[]{w - 1 - y, x};
            default -> new int[]{x, y};
        };
    }
}
