package io.essl.report;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real headless Chromium (Debian's {@code chromium}, installed by bin/test) opening a local page. */
final class Browser {
    /** What the browser left: the DOM after load, its console lines, a screenshot. */
    record Visit(String dom, List<String> console, BufferedImage screenshot) {
        /** The data-* attributes the page's self-check set on its body. */
        Map<String, String> bodyData() {
            Matcher body = Pattern.compile("<body([^>]*)>").matcher(dom);
            Map<String, String> m = new HashMap<>();
            if (!body.find()) return m;
            Matcher a = Pattern.compile("data-([a-z-]+)=\"([^\"]*)\"").matcher(body.group(1));
            while (a.find()) m.put(a.group(1), a.group(2));
            return m;
        }
    }

    private Browser() {
    }

    static String executable() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
                File f = new File(dir, name);
                if (f.canExecute()) return f.getPath();
            }
        }
        throw new IllegalStateException("no Chromium here: apt-get install -y --no-install-recommends chromium (bin/test does it as root)");
    }

    /** Opens the page at width x height CSS pixels: once for the DOM and console, once for the screenshot. */
    static Visit open(File page, int width, int height, File screenshot) throws Exception {
        String url = page.getAbsoluteFile().toURI().toString();
        List<String> out = run(List.of("--enable-logging=stderr", "--v=0", "--dump-dom", url), width, height);
        StringBuilder dom = new StringBuilder();
        List<String> console = new ArrayList<>();
        for (String line : out) {
            if (line.contains("CONSOLE")) console.add(line);
            else dom.append(line).append('\n');
        }
        run(List.of("--screenshot=" + screenshot.getAbsolutePath(), url), width, height);
        return new Visit(dom.toString(), console, ImageIO.read(screenshot));
    }

    private static List<String> run(List<String> args, int width, int height) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(executable(), "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--no-first-run", "--disable-extensions", "--window-size=" + width + "," + height,
                "--virtual-time-budget=5000", "--user-data-dir=" + java.nio.file.Files.createTempDirectory("chromium")));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] bytes = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not finish: " + cmd);
        }
        return new String(bytes, StandardCharsets.UTF_8).lines().toList();
    }
}
