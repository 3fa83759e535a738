package io.essl.report;

import io.essl.config.ConfigLoader;
import io.essl.config.RecipeDiff;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code X.html} beside every JSON report {@code X.json}: the same report as a page people open. One file with no
 * network use (the plots inlined as data: URIs, a Content-Security-Policy that forbids anything else), laid out for
 * a phone as well as a desktop: the accuracy table, the plots, every report section, the resolved recipe with the
 * keys that differ from reference.conf highlighted, and the provenance.
 */
public final class ReportPage {
    private static final String CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'";
    /** What the usual sections are, in words; other sections by their path. */
    private static final Map<String, String> LABELS = Map.of("probe", "trained encoder, linear probe",
            "knn", "trained encoder, kNN", "baselines random_encoder", "random encoder, same architecture",
            "baselines raw_pixels", "raw pixels, linear probe", "ours", "ours (essl-spark)", "peer", "PyTorch");
    /** Lists longer than this (loss histories, per-step logs) stay in the JSON. */
    private static final int LONGEST_LIST = 16;

    private ReportPage() {
    }

    /** The page's file for a report file: {@code X.json} -> {@code X.html}. */
    public static File of(File json) {
        String name = json.getName();
        return new File(json.getAbsoluteFile().getParentFile(), (name.endsWith(".json") ? name.substring(0, name.length() - 5) : name) + ".html");
    }

    /** Writes the page atomically (temporary file, then rename), as the JSON beside it. */
    static void write(Map<String, Object> report, String renderedConfig, File json) throws IOException {
        File html = of(json), tmp = new File(html.getParentFile(), "." + html.getName() + ".tmp");
        Files.writeString(tmp.toPath(), html(report, renderedConfig, json.getName()), StandardCharsets.UTF_8);
        Files.move(tmp.toPath(), html.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static String html(Map<String, Object> report, String renderedConfig, String jsonName) throws IOException {
        String title = "essl-spark " + (report.containsKey("command") ? report.get("command") : report.getOrDefault("what", "report"));
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(CSP).append("\">")
                .append("<title>").append(esc(title)).append("</title><style>").append(STYLE).append("</style><script>")
                .append(SELF_CHECK).append("</script></head><body>\n");
        b.append("<h1>").append(esc(title)).append("</h1>\n<p class=\"sub\">").append(esc(subtitle(report, jsonName))).append("</p>\n");
        accuracyTable(b, report);
        plots(b, report);
        b.append("<h2>Report</h2>\n");
        Map<String, Object> scalars = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : report.entrySet()) {
            if (e.getKey().equals("provenance")) continue;
            if (e.getValue() instanceof Map<?, ?> m) {
                table(b, e.getKey(), flatten("", m));
            } else {
                scalars.put(e.getKey(), e.getValue());
            }
        }
        if (!scalars.isEmpty()) table(b, "run", scalars);
        if (renderedConfig != null) recipe(b, renderedConfig);
        if (report.get("provenance") instanceof Map<?, ?> p) table(b, "provenance", flatten("", p));
        b.append("</body></html>\n");
        return b.toString();
    }

    private static String subtitle(Map<String, Object> report, String jsonName) {
        List<String> parts = new ArrayList<>();
        if (report.get("provenance") instanceof Map<?, ?> p) {
            parts.add(String.valueOf(p.get("created")));
            parts.add("commit " + abbreviate(String.valueOf(p.get("git_commit"))));
        }
        if (report.get("elapsed_s") instanceof Number n) parts.add(String.format("%.0f s", n.doubleValue()));
        parts.add("data: " + jsonName);
        return String.join(" · ", parts);
    }

    /** Every section with a top-1 (the probe, kNN, each baseline; a study's sides) as one row. */
    private static void accuracyTable(StringBuilder b, Map<String, Object> report) {
        Map<String, Map<?, ?>> rows = new LinkedHashMap<>();
        findTop1("", report, rows, 0);
        if (rows.isEmpty()) return;
        b.append("<h2>Accuracy</h2>\n<div class=\"scroll\"><table class=\"acc\"><tr><th>encoder / probe</th><th>top-1</th><th>top-5</th><th>detail</th></tr>\n");
        for (Map.Entry<String, Map<?, ?>> e : rows.entrySet()) {
            Map<?, ?> m = e.getValue();
            String top1 = m.get("top1") instanceof List<?> && m.get("mean") instanceof Number mean
                    ? String.format("%.4f ± %.4f", mean.doubleValue(), ((Number) m.get("std")).doubleValue()) : accuracy(m.get("top1"));
            String detail = m.get("reg_param") != null ? "L2 " + value(m.get("reg_param")) + ", " + value(m.get("iterations")) + " iterations"
                    : m.get("top1") instanceof List<?> l ? "per seed " + value(l) : m.get("k") != null ? "k " + value(m.get("k")) : "";
            b.append("<tr><td>").append(esc(e.getKey())).append("</td><td class=\"num\"><b>").append(esc(top1))
                    .append("</b></td><td class=\"num\">").append(esc(accuracy(m.get("top5")))).append("</td><td>")
                    .append(esc(detail)).append("</td></tr>\n");
        }
        b.append("</table></div>\n");
    }

    private static void findTop1(String path, Map<?, ?> m, Map<String, Map<?, ?>> rows, int depth) {
        if (m.containsKey("top1") && (m.get("top1") instanceof Number || m.get("top1") instanceof List<?>)) {
            rows.put(LABELS.getOrDefault(path, path.isEmpty() ? "result" : path.replace('_', ' ')), m);
        }
        if (depth == 2) return;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> child && !"provenance".equals(e.getKey())) {
                findTop1(path.isEmpty() ? String.valueOf(e.getKey()) : path + " " + e.getKey(), child, rows, depth + 1);
            }
        }
    }

    /** The PNG files the report names (any value ending in .png that exists), inlined. */
    private static void plots(StringBuilder b, Map<String, Object> report) throws IOException {
        Set<String> pngs = new LinkedHashSet<>();
        collectPngs(report, pngs);
        List<File> files = pngs.stream().map(File::new).filter(File::isFile).toList();
        if (files.isEmpty()) return;
        b.append("<h2>Plots</h2>\n");
        for (File f : files) {
            b.append("<figure><img alt=\"").append(esc(f.getName())).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(Files.readAllBytes(f.toPath())))
                    .append("\"><figcaption>").append(esc(f.getName())).append("</figcaption></figure>\n");
        }
    }

    private static void collectPngs(Object v, Set<String> out) {
        if (v instanceof Map<?, ?> m) m.values().forEach(x -> collectPngs(x, out));
        else if (v instanceof List<?> l && l.size() <= LONGEST_LIST) l.forEach(x -> collectPngs(x, out));
        else if (v instanceof String s && s.endsWith(".png")) out.add(s);
    }

    /** The resolved recipe against reference.conf: every key, the changed ones first and highlighted. */
    private static void recipe(StringBuilder b, String rendered) {
        Map<String, String> run = RecipeDiff.flatten(rendered), reference = RecipeDiff.flatten(ConfigLoader.referenceRendered());
        List<String> changed = run.keySet().stream().filter(k -> !run.get(k).equals(reference.get(k))).toList();
        b.append("<h3>recipe</h3>\n<p>").append(changed.size()).append(" of ").append(run.size())
                .append(" settings differ from reference.conf (highlighted, first).</p>\n<div class=\"scroll\"><table>")
                .append("<tr><th>key</th><th>value</th><th>reference.conf</th></tr>\n");
        List<String> order = new ArrayList<>(changed);
        run.keySet().stream().filter(k -> !changed.contains(k)).forEach(order::add);
        for (String k : order) {
            boolean c = changed.contains(k);
            b.append(c ? "<tr class=\"changed\">" : "<tr>").append("<td>").append(esc(k)).append("</td><td>").append(esc(run.get(k)))
                    .append("</td><td>").append(c ? esc(reference.getOrDefault(k, "(absent)")) : "").append("</td></tr>\n");
        }
        b.append("</table></div>\n");
    }

    private static void table(StringBuilder b, String name, Map<String, Object> rows) {
        if (rows.isEmpty()) return;
        b.append("<h3>").append(esc(name)).append("</h3>\n<div class=\"scroll\"><table>\n");
        for (Map.Entry<String, Object> e : rows.entrySet()) {
            b.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(esc(value(e.getValue()))).append("</td></tr>\n");
        }
        b.append("</table></div>\n");
    }

    /** Nested maps as dotted keys; long lists and lists of records as a count (they stay in the JSON). */
    private static Map<String, Object> flatten(String prefix, Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String key = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> child) out.putAll(flatten(key + ".", child));
            else if (e.getValue() instanceof List<?> l && (l.size() > LONGEST_LIST || l.stream().anyMatch(x -> x instanceof Map || x instanceof List)))
                out.put(key, l.size() + " entries (in the JSON)");
            else out.put(key, e.getValue());
        }
        return out;
    }

    private static String value(Object v) {
        if (v == null) return "";
        if (v instanceof Double d) {
            if (!Double.isFinite(d)) return String.valueOf(d);
            if (d == Math.rint(d) && Math.abs(d) < 1e15) return String.valueOf(d.longValue());
            return new java.math.BigDecimal(String.format("%.4g", d)).stripTrailingZeros().toPlainString(); // 0.0001, 0.7553
        }
        if (v instanceof Float f) return value(f.doubleValue());
        if (v instanceof List<?> l) return "[" + String.join(", ", l.stream().map(ReportPage::value).toList()) + "]";
        return String.valueOf(v);
    }

    /** Accuracies always to four places, so that a column lines up (0.8250, not 0.825). */
    private static String accuracy(Object v) {
        return v instanceof Number n ? String.format("%.4f", n.doubleValue()) : value(v);
    }

    private static String abbreviate(String commit) {
        return commit.length() > 12 ? commit.substring(0, 12) : commit;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static final String STYLE = "body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:0 .8rem 2rem;color:#222}"
            + "h1{font-size:1.4rem;margin:.8rem 0 .2rem}h2{font-size:1.15rem;margin:1.4rem 0 .4rem;border-bottom:1px solid #ddd}"
            + "h3{font-size:1rem;margin:1rem 0 .3rem}.sub{color:#666;margin:0}.scroll{overflow-x:auto}"
            + "table{border-collapse:collapse;font-size:.9rem}td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:left;"
            + "vertical-align:top;overflow-wrap:anywhere}th{background:#f4f4f4}.num{text-align:right;white-space:nowrap}"
            + "tr.changed td{background:#fff3c4}figure{margin:.6rem 0}img{max-width:100%;height:auto;border:1px solid #eee}"
            + "figcaption{color:#666;font-size:.85rem}";

    /**
     * Records on the body what a reader's browser met: images that did not decode, script errors, blocked loads
     * (the CSP), a page wider than the screen. Invisible; the browser test reads it.
     */
    private static final String SELF_CHECK = "var errors=0,blocked=0;"
            + "window.addEventListener('error',function(){errors++},true);"
            + "document.addEventListener('securitypolicyviolation',function(){blocked++});"
            + "window.addEventListener('load',function(){var imgs=document.images,ok=0;"
            + "for(var i=0;i<imgs.length;i++)if(imgs[i].complete&&imgs[i].naturalWidth>0)ok++;"
            + "var d=document.body.dataset;d.images=imgs.length;d.imagesDecoded=ok;d.errors=errors;d.blocked=blocked;"
            + "d.overflow=document.documentElement.scrollWidth>window.innerWidth;d.checked='yes'});";
}
