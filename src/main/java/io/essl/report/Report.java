package io.essl.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.File;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A JSON report built from dotted keys ("probe.top1" becomes {"probe": {"top1": ...}}). */
public final class Report {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Map<String, Object> root = new LinkedHashMap<>();
    /** The run's resolved configuration, for the page's recipe table (the JSON has its hash in the provenance). */
    private String recipe;

    /** The configuration the run resolved: the page beside the JSON shows it against reference.conf. */
    public Report recipe(io.essl.config.EsslConfig conf) {
        this.recipe = conf.rendered();
        return this;
    }

    @SuppressWarnings("unchecked")
    public Report put(String dotted, Object value) {
        String[] parts = dotted.split("\\.");
        Map<String, Object> node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = (Map<String, Object>) node.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
        }
        node.put(parts[parts.length - 1], value);
        return this;
    }

    /** One line of JSON: the last stdout line of the model and bench commands, for scripts. */
    public static String line(Map<String, ?> values) {
        try {
            return new ObjectMapper().writeValueAsString(values);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public Map<String, Object> asMap() {
        return root;
    }

    /** The JSON (indented) and, beside it, its page {@code X.html} ({@link ReportPage}); each written atomically. */
    public void write(File file) throws IOException {
        write(root, recipe, file, true);
    }

    /**
     * A report built as a map (the studies' parity.json, fidelity.json, soak.json): one line of JSON, as the
     * command's last stdout line, and its page.
     */
    public static void write(Map<String, Object> values, io.essl.config.EsslConfig conf, File file) throws IOException {
        write(values, conf == null ? null : conf.rendered(), file, false);
    }

    private static void write(Map<String, Object> values, String recipe, File file, boolean indent) throws IOException {
        File parent = file.getAbsoluteFile().getParentFile();
        parent.mkdirs();
        File tmp = new File(parent, "." + file.getName() + ".tmp");
        if (indent) JSON.writeValue(tmp, values);
        else java.nio.file.Files.writeString(tmp.toPath(), line(values), java.nio.charset.StandardCharsets.UTF_8);
        java.nio.file.Files.move(tmp.toPath(), file.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        ReportPage.write(values, recipe, file);
    }
}
