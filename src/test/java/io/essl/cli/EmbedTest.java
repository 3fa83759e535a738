package io.essl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bin/essl embed: every image of the source once, the probe's own features for it, the model named; rerunnable. */
class EmbedTest {
    @Test
    void embeddingsAreTheProbesFeaturesOfEveryImage(@TempDir File tmp) throws Exception {
        String model = "src/test/resources/fixtures/model-2026-12-02.zip";
        List<String> sets = List.of("data.dir=\"" + TestData.sliceDir().getAbsolutePath() + "\"",
                "output.dir=\"" + tmp.getAbsolutePath() + "\"", "probe.train-limit=96", "probe.test-limit=48",
                "probe.reg-params=[0]", "probe.max-iter=30", "probe.knn.enabled=false", "probe.map=false");
        String probeOut = new File(tmp, "probe-emb").getPath(), out = new File(tmp, "emb").getPath();
        assertEquals(Main.OK, Main.run(TestData.args("probe", sets, "--model", model, "--export-embeddings", probeOut)));
        File report = new File(tmp, "embed.json");
        String[] embed = TestData.args("embed", sets, "--model", model, "--output", out, "--report", report.getPath());
        assertEquals(Main.OK, Main.run(embed));
        assertEquals(Main.OK, Main.run(embed), "a rerun replaces the output");
        JsonNode r = new ObjectMapper().readTree(report);
        assertEquals(96 + 48, r.at("/images/written").asLong());
        assertTrue(r.get("images_per_s").isNumber() && r.get("images_per_s").asDouble() > 0);
        assertTrue(r.get("skipped").isObject() && r.get("skipped").isEmpty(), "no bad file in the slice");
        try (SparkSession spark = SparkSession.builder().master("local[1]").appName("read").getOrCreate()) {
            Map<String, List<Float>> probe = new HashMap<>();
            for (Row row : spark.read().parquet(probeOut).collectAsList()) {
                probe.put(row.getAs("split") + "/" + row.getAs("id"), row.getList(row.fieldIndex("features")));
            }
            List<Row> rows = spark.read().parquet(out).collectAsList();
            assertEquals(144, rows.size());
            assertEquals(144, rows.stream().map(x -> x.getAs("split") + "/" + x.getAs("id")).distinct().count(), "each image once");
            for (Row row : rows) {
                List<Float> e = row.getList(row.fieldIndex("embedding"));
                assertEquals(probe.get(row.getAs("split") + "/" + row.getAs("id")), e, "the probe's features");
                var vector = (org.apache.spark.ml.linalg.Vector) row.getAs("features");
                assertEquals(e.size(), vector.size(), "an MLlib vector too");
                assertEquals(model, row.getAs("model_path"));
            }
            assertEquals(r.get("embedding_size").asInt(), rows.get(0).getList(rows.get(0).fieldIndex("embedding")).size());
        }
        assertEquals(Main.BAD_INPUT, Main.run(TestData.args("embed", sets, "--model", "nowhere.zip", "--output", out)));
    }
}
