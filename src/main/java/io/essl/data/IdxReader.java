package io.essl.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or plain. Images are idx3 (ubyte,
 * count x rows x cols); labels are idx1 (ubyte, count). Malformed input fails with a message that names the
 * file and what is wrong.
 */
public final class IdxReader {
    private static final int UBYTE = 0x08;

    private IdxReader() {
    }

    /** Header of an IDX file: dimension sizes, first the item count. */
    public record Header(int[] dims) {
        public int count() {
            return dims[0];
        }

        public int itemSize() {
            int n = 1;
            for (int i = 1; i < dims.length; i++) n *= dims[i];
            return n;
        }
    }

    /** Opens a (possibly gzipped) stream; gzip is detected by its magic bytes, not the file name. */
    public static InputStream decompressing(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in;
    }

    public static Header readHeader(DataInputStream in, String name, int expectedRank) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(name + ": empty or truncated IDX header");
        }
        if ((magic >>> 16) != 0 || ((magic >> 8) & 0xff) != UBYTE) {
            throw new IdxFormatException(String.format("%s: not an unsigned-byte IDX file (magic 0x%08x)", name, magic));
        }
        int rank = magic & 0xff;
        if (rank != expectedRank) {
            throw new IdxFormatException(name + ": expected an IDX file of rank " + expectedRank + ", found rank " + rank);
        }
        int[] dims = new int[rank];
        try {
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                if (dims[i] <= 0 && !(i == 0 && dims[i] == 0)) {
                    throw new IdxFormatException(name + ": bad dimension " + dims[i]);
                }
            }
        } catch (EOFException e) {
            throw new IdxFormatException(name + ": truncated IDX header");
        }
        return new Header(dims);
    }

    /** Reads all labels of an idx1 file. */
    public static int[] readLabels(InputStream raw, String name) throws IOException {
        try (DataInputStream in = new DataInputStream(decompressing(raw))) {
            Header h = readHeader(in, name, 1);
            byte[] b = new byte[h.count()];
            readFully(in, b, name, h.count());
            int[] labels = new int[b.length];
            for (int i = 0; i < b.length; i++) labels[i] = b[i] & 0xff;
            return labels;
        }
    }

    /**
     * Reads images [from, to) of an idx3 file, paired with labels (the whole idx1 label array) and ids equal to
     * their index in the file.
     */
    public static ImageRecord[] readImages(InputStream raw, String name, int[] labels, int from, int to) throws IOException {
        try (DataInputStream in = new DataInputStream(decompressing(raw))) {
            Header h = readHeader(in, name, 3);
            if (labels != null && labels.length != h.count()) {
                throw new IdxFormatException(name + ": " + h.count() + " images but " + labels.length + " labels");
            }
            int end = Math.min(to, h.count());
            int size = h.itemSize();
            in.skipNBytes((long) from * size);
            ImageRecord[] out = new ImageRecord[Math.max(0, end - from)];
            for (int i = from; i < end; i++) {
                byte[] px = new byte[size];
                readFully(in, px, name, h.count());
                out[i - from] = new ImageRecord(i, labels == null ? -1 : labels[i], 1, h.dims()[1], h.dims()[2], px);
            }
            return out;
        } catch (EOFException e) {
            throw new IdxFormatException(name + ": truncated (file ends before the images its header declares)");
        }
    }

    private static void readFully(DataInputStream in, byte[] b, String name, int declared) throws IOException {
        try {
            in.readFully(b);
        } catch (EOFException e) {
            throw new IdxFormatException(name + ": truncated (header declares " + declared + " items)");
        }
    }

    /** A malformed IDX file. */
    public static class IdxFormatException extends IOException {
        public IdxFormatException(String message) {
            super(message);
        }
    }
}
