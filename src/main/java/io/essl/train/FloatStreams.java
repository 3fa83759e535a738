package io.essl.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A float array of ND4J's streamed through a serialiser in 1 MB pieces, straight from (and into) its off-heap
 * memory. A training state of 77-323 MB then crosses Spark (broadcast, task result) without the whole-array copies
 * on the heap that {@code toFloatVector()} and a {@code byte[]} field cost: a float[] and a byte[] of the state's
 * size each way, and the garbage collections they bring. The bytes are the machine's own floats; a cluster's
 * machines share one byte order (x86 and ARM: little-endian), which this checks when it loads.
 */
final class FloatStreams {
    private static final int CHUNK = 1 << 20;

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("the training state's wire format is little-endian; this machine is "
                    + ByteOrder.nativeOrder());
        }
    }

    private FloatStreams() {
    }

    /** Where the bytes go: a serialiser's write(byte[], offset, length). */
    interface Sink {
        void write(byte[] b, int off, int len) throws IOException;
    }

    /** Where they come from: a serialiser's read-fully(byte[], offset, length). */
    interface Source {
        void read(byte[] b, int off, int len) throws IOException;
    }

    /** Writes the array's floats (as many bytes as 4 x its length). */
    static void write(INDArray a, Sink out) throws IOException {
        inPieces(memory(a), (memory, piece, n) -> {
            memory.get(piece, 0, n);
            out.write(piece, 0, n);
        });
    }

    /** Reads {@code length} floats into a new vector. */
    static INDArray read(long length, Source in) throws IOException {
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, length);
        inPieces(memory(a), (memory, piece, n) -> {
            in.read(piece, 0, n);
            memory.put(piece, 0, n);
        });
        return a;
    }

    /** One piece of the way: n bytes between the memory (at its position) and the piece's buffer, either way. */
    private interface Move {
        void move(ByteBuffer memory, byte[] piece, int n) throws IOException;
    }

    /** Moves all of the memory's bytes through one buffer of at most 1 MB, a piece at a time. */
    private static void inPieces(ByteBuffer memory, Move move) throws IOException {
        byte[] piece = new byte[Math.min(CHUNK, memory.remaining())];
        while (memory.hasRemaining()) move.move(memory, piece, Math.min(piece.length, memory.remaining()));
    }

    /** The array's floats in memory, in order, as bytes (through a contiguous copy when it is a view). */
    private static ByteBuffer memory(INDArray a) {
        if (a.dataType() != DataType.FLOAT) throw new IllegalArgumentException("not a float array: " + a.dataType());
        INDArray whole = a.isView() || a.data().length() != a.length() ? a.dup('c') : a;
        long bytes = 4 * whole.length();
        if (bytes > Integer.MAX_VALUE) throw new IllegalArgumentException("over 2 GB in one array: " + bytes + " bytes");
        ByteBuffer b = whole.data().asNio().duplicate();
        b.position(0).limit((int) bytes);
        return b;
    }
}
