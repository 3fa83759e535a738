package io.essl.report;

import io.essl.config.EsslConfig;
import io.essl.data.TurboDecoder;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where a model or report came from: config hash, git commit, versions, backend, JPEG decoder, SIMD path, seed. */
public final class Provenance {
    private Provenance() {
    }

    public static Map<String, Object> of(EsslConfig conf) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("created", Instant.now().toString());
        p.put("git_commit", gitCommit());
        p.put("config_sha256", sha256(conf.rendered()));
        p.put("seed", conf.seed());
        p.put("java", System.getProperty("java.version"));
        p.put("spark", org.apache.spark.package$.MODULE$.SPARK_VERSION());
        p.put("dl4j", "1.0.0-M2.1 (dl4j-spark 1.0.0-M2)");
        p.put("nd4j_backend", Nd4j.getBackend().getClass().getSimpleName());
        p.put("nd4j_build", String.valueOf(Nd4j.getExecutioner().getEnvironmentInformation().get("blas.vendor")));
        // this JVM's; executors find theirs the same way (docs/data.md): a node without the library decodes slower
        p.put("jpeg_decoder", TurboDecoder.jpegDecoder());
        p.put("simd", io.essl.kernels.Simd.description()); // BatchNorm's float reductions
        return p;
    }

    /** From -Dessl.git.commit (set by bin/essl and the deploy scripts), else from git, else "unknown". */
    public static String gitCommit() {
        String fromProperty = System.getProperty("essl.git.commit");
        if (fromProperty != null && !fromProperty.isBlank()) return fromProperty;
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line = r.readLine();
                if (p.waitFor() == 0 && line != null && line.matches("[0-9a-f]{40}")) return line;
            }
        } catch (Exception ignored) {
            // no git here (e.g. on a cluster node)
        }
        return "unknown";
    }

    public static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
