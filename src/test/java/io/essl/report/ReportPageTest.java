package io.essl.report;

import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ReportPageTest {

    /** A report as the commands write it: accuracy sections, two plots, a history list, the recipe. */
    private static File writeReport(File dir) throws Exception {
        File confusion = new File(dir, "r-confusion.png"), curves = new File(dir, "r-curves.png");
        Charts.confusion(new long[][]{{40, 10}, {5, 45}}, new String[]{"shirt", "coat"}, "Linear probe, top-1 0.85", confusion);
        Charts.trainingCurves(new int[]{1, 2, 3}, new double[]{4, 3.5, 3}, new double[]{1.4, 1.0, 0.8},
                new double[]{1e-3, 1e-3, 5e-4}, "NT-Xent", curves);
        EsslConfig conf = ConfigLoader.load(null, List.of("train.epochs=3", "model.width=0.25"));
        Report r = new Report().recipe(conf).put("command", "demo").put("provenance", Map.of("created", "2026-12-02T05:00:00Z",
                        "git_commit", "0123456789abcdef0123", "seed", 42))
                .put("probe.top1", 0.8512).put("probe.top5", 0.9951).put("probe.reg_param", 0.0).put("probe.iterations", 1206)
                .put("probe.confusion_png", confusion.getPath()).put("knn.top1", 0.7801).put("knn.k", 200)
                .put("baselines.raw_pixels.top1", 0.8433).put("baselines.raw_pixels.top5", 0.9957)
                .put("pretrain.curves_png", curves.getPath()).put("pretrain.history", List.of(Map.of("step", 1), Map.of("step", 2)))
                .put("elapsed_s", 321.5);
        File json = new File(dir, "r.json");
        r.write(json);
        return json;
    }

    @Test
    void everyReportGetsASelfContainedPageBesideIt(@TempDir File dir) throws Exception {
        File json = writeReport(dir);
        File html = new File(dir, "r.html");
        assertTrue(html.isFile(), "r.json has r.html beside it");
        String page = Files.readString(html.toPath());
        assertFalse(page.matches("(?s).*(src|href)=\"(https?:|//|file:).*"), "nothing loaded from elsewhere");
        assertTrue(page.contains("default-src 'none'"), "the CSP forbids any other load");
        assertEquals(2, page.split("src=\"data:image/png;base64,", -1).length - 1, "both plots inlined");
        // the accuracy table names each section with its top-1; the recipe marks exactly the two changed keys
        for (String s : List.of("<td>trained encoder, linear probe</td><td class=\"num\"><b>0.8512</b>",
                "<td>raw pixels, linear probe</td><td class=\"num\"><b>0.8433</b>", "<td>trained encoder, kNN</td><td class=\"num\"><b>0.7801</b>")) {
            assertTrue(page.contains(s), s);
        }
        int epochs = ConfigLoader.reference().getInt("essl.train.epochs");
        assertTrue(page.contains("<tr class=\"changed\"><td>train.epochs</td><td>3</td><td>" + epochs + "</td>"),
                "train.epochs highlighted with reference.conf's value beside it");
        assertEquals(2, page.split("<tr class=\"changed\">", -1).length - 1, "only the keys the run changed");
        assertTrue(page.contains("2 entries (in the JSON)"), "a list of records stays in the JSON");
        // the JSON itself is unchanged by the page: still the nested report
        assertEquals(0.8512, new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).at("/probe/top1").doubleValue());
    }

    @Test
    void thePageRendersInARealBrowserOnAPhoneAndADesktop(@TempDir File dir) throws Exception {
        File html = ReportPage.of(writeReport(dir));
        for (int[] size : List.of(new int[]{412, 915}, new int[]{1280, 1600})) {
            Browser.Visit v = Browser.open(html, size[0], size[1], new File(dir, "shot-" + size[0] + ".png"));
            Map<String, String> d = v.bodyData();
            assertEquals("yes", d.get("checked"), "the page's load handler ran: " + d);
            assertEquals("2", d.get("images"));
            assertEquals("2", d.get("images-decoded"), "both PNGs decoded in the browser");
            assertEquals("0", d.get("errors"), "no script or resource errors");
            assertEquals("0", d.get("blocked"), "the CSP blocked nothing: nothing tried to load");
            assertEquals("false", d.get("overflow"), "no sideways scrolling at " + size[0] + " px");
            assertEquals(List.of(), v.console(), "nothing on the console (errors, CSP reports, warnings)");
            BufferedImage shot = v.screenshot();
            assertEquals(size[0], shot.getWidth());
            assertEquals(size[1], shot.getHeight());
            assertTrue(colours(shot) > 50, "text, table shading and plots drawn, not a blank page: " + colours(shot));
        }
    }

    private static int colours(BufferedImage img) {
        Set<Integer> c = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) for (int x = 0; x < img.getWidth(); x += 3) c.add(img.getRGB(x, y));
        return c.size();
    }
}
