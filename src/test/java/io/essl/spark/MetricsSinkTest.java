package io.essl.spark;

import io.essl.TestData;
import io.essl.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** Pre-training's metrics through Spark's own metrics system: the PrometheusServlet sink, scraped over HTTP. */
class MetricsSinkTest {
    private static final Pattern STEP = Pattern.compile("(?m)^metrics_\\S+_driver_essl_step_Value\\S* (\\S+)$");
    private static final Pattern LOSS = Pattern.compile("(?m)^metrics_\\S+_driver_essl_loss_invariance_Value\\S* (\\S+)$");
    private static final Pattern LR = Pattern.compile("(?m)^metrics_\\S+_driver_essl_learning_rate_Value\\S* (\\S+)$");

    @Test
    void thePrometheusServletShowsTheStepAdvancingDuringARun(@TempDir File tmp) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> sets = TestData.smallRun(tmp);
        sets.addAll(List.of("train.epochs=2", "train.monitor.knn-every-epochs=0",
                "spark.conf.\"spark.ui.enabled\"=true", "spark.conf.\"spark.ui.port\"=" + port,
                "spark.conf.\"spark.metrics.conf.*.sink.prometheusServlet.class\"=org.apache.spark.metrics.sink.PrometheusServlet",
                "spark.conf.\"spark.metrics.conf.*.sink.prometheusServlet.path\"=/metrics/prometheus"));
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Main.run(TestData.args("pretrain", sets)));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NORMAL).build(); // Spark's UI redirects the path to path/
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics/prometheus"))
                .timeout(Duration.ofSeconds(5)).build();
        TreeSet<Double> steps = new TreeSet<>();
        List<Double> losses = new ArrayList<>(), lrs = new ArrayList<>();
        while (!run.isDone()) {
            try {
                String body = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = STEP.matcher(body);
                if (m.find() && !m.group(1).equals("NaN")) {
                    steps.add(Double.parseDouble(m.group(1)));
                    Matcher l = LOSS.matcher(body), r = LR.matcher(body);
                    if (l.find()) losses.add(Double.parseDouble(l.group(1)));
                    if (r.find()) lrs.add(Double.parseDouble(r.group(1)));
                }
            } catch (java.io.IOException notYet) {
                // the UI is not up yet, or already down
            }
            Thread.sleep(100);
        }
        assertEquals(Main.OK, run.get());
        System.out.println("scraped steps " + steps + ", invariance losses " + losses.size() + ", first " + (losses.isEmpty() ? "-" : losses.get(0)));
        assertTrue(steps.size() >= 3, "the step seen advancing while the run went on: " + steps);
        assertTrue(steps.first() >= 1 && steps.last() > steps.first(), "steps " + steps);
        assertTrue(losses.stream().allMatch(v -> v > 0 && Double.isFinite(v)), "the invariance loss, a positive number: " + losses);
        assertTrue(lrs.stream().allMatch(v -> v > 0 && v < 0.01), "the learning rate under Adam 0.002's scaled peak: " + lrs);
    }
}
