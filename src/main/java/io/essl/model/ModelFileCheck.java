package io.essl.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What a model file must be before DL4J reads it: DL4J's {@code ModelSerializer} deserialises some zip entries
 * with {@code ObjectInputStream} ({@code preprocessor.bin} on every restore; {@code objects/*} through
 * {@code getObjectFromFile}), so a crafted file on a shared bucket could run a deserialisation gadget on the
 * driver. Only the entries this project writes are accepted, the configuration may only name classes of DL4J,
 * ND4J and this project (Jackson instantiates every {@code @class} it names), and the metadata is read as plain
 * UTF-8 JSON. Files written before the metadata became plain JSON hold it as a serialised {@link String}: that
 * entry is read with a filter that admits {@code java.lang.String} and nothing else.
 */
public final class ModelFileCheck {
    public static final String METADATA = "essl-metadata.json";
    /** Where {@code ModelSerializer.addObjectToFile} put the metadata (a serialised String) before. */
    static final String LEGACY_METADATA = "objects/" + METADATA;
    private static final Set<String> ENTRIES = Set.of("configuration.json", "coefficients.bin", "updaterState.bin",
            "noParams.marker", METADATA, LEGACY_METADATA);
    private static final List<String> CLASS_PREFIXES = List.of("org.deeplearning4j.", "org.nd4j.", "io.essl.");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A model file refused unread: it holds something this project does not write. */
    public static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    private ModelFileCheck() {
    }

    /** Checks a local model file (entries, configuration) and returns its metadata; DL4J has not seen it yet. */
    public static Map<String, Object> check(File file, String name) throws IOException {
        try (ZipFile zip = new ZipFile(file)) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                String entry = e.nextElement().getName();
                if (!ENTRIES.contains(entry)) {
                    throw new Refused(name + " holds an entry essl-spark does not write: " + entry + " (refused unread)");
                }
            }
            ZipEntry config = zip.getEntry("configuration.json");
            if (config == null) throw new Refused(name + " has no configuration.json: not a model file");
            try (InputStream in = zip.getInputStream(config)) {
                checkClasses(JSON.readTree(in), name);
            }
            ZipEntry meta = zip.getEntry(METADATA);
            if (meta != null) return parse(read(zip, meta), name);
            ZipEntry legacy = zip.getEntry(LEGACY_METADATA);
            if (legacy == null) throw new Refused(name + " is not an essl-spark model (no " + METADATA + ")");
            return parse(legacyString(read(zip, legacy), name).getBytes(StandardCharsets.UTF_8), name);
        } catch (java.util.zip.ZipException e) { // damaged (e.g. a crash mid-copy), not crafted: nothing was read
            throw new IOException(name + " is not a readable zip file (" + e.getMessage() + ")", e);
        }
    }

    /** Every {@code @class} in the configuration, nested configurations (JSON held in strings) included. */
    private static void checkClasses(JsonNode node, String name) throws Refused {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("@class")) {
                    String cls = f.getValue().asText();
                    if (CLASS_PREFIXES.stream().noneMatch(cls::startsWith)) {
                        throw new Refused(name + ": configuration.json names class " + cls
                                + ", outside DL4J, ND4J and essl-spark (refused unread)");
                    }
                }
                checkClasses(f.getValue(), name);
            }
        } else if (node.isArray()) {
            for (JsonNode n : node) checkClasses(n, name);
        } else if (node.isTextual() && node.asText().startsWith("{")) { // e.g. the shared backbone's own graph
            JsonNode nested;
            try {
                nested = JSON.readTree(node.asText());
            } catch (IOException e) {
                return; // a string that only looks like JSON: Jackson will not read it as a configuration either
            }
            checkClasses(nested, name);
        }
    }

    /** A serialised {@link String} and nothing else: any other class is rejected before it is instantiated. */
    private static String legacyString(byte[] bytes, String name) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(info -> {
                if (info.depth() > 1 || info.references() > 1 || info.arrayLength() >= 0) return ObjectInputFilter.Status.REJECTED;
                Class<?> c = info.serialClass();
                return c == null || c == String.class ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
            });
            Object o = in.readObject();
            if (!(o instanceof String s)) throw new Refused(name + ": " + LEGACY_METADATA + " is not a string");
            return s;
        } catch (InvalidClassException | ClassNotFoundException e) {
            throw new Refused(name + ": " + LEGACY_METADATA + " holds a serialised object other than a string (refused unread)");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(byte[] json, String name) throws Refused {
        try {
            return JSON.readValue(json, LinkedHashMap.class);
        } catch (IOException e) {
            throw new Refused(name + ": " + METADATA + " is not JSON (" + e.getMessage() + ")");
        }
    }

    private static byte[] read(ZipFile zip, ZipEntry e) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        }
    }
}
