package io.essl.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The recipe keys in which two rendered configurations differ, for {@code --resume}: continuing a checkpoint
 * with another recipe would silently train a model that no configuration describes. Keys that say how long a
 * run goes or where it runs and writes ({@link #FREE}) may change between a run and its resumption.
 */
public final class RecipeDiff {
    /** Run length, resumption, checkpointing, monitoring, output, Spark, probe: not what the steps compute. */
    static final List<String> FREE = List.of("train.epochs", "train.max-steps", "train.max-seconds", "train.resume",
            "train.checkpoint", "train.monitor", "output", "spark", "probe");

    private RecipeDiff() {
    }

    /**
     * Key to {recorded value, current value} ("(absent)" where a side lacks the key), sorted by key. A key the
     * recorded configuration lacks but reference.conf has was added by a later version: the recorded run had its
     * default (the code before the key behaved so), so resuming an older checkpoint with the default is no change.
     */
    public static Map<String, List<String>> of(String recorded, String current) {
        Map<String, String> a = flat(ConfigFactory.parseString(recorded)), b = flat(ConfigFactory.parseString(current));
        Map<String, String> defaults = flatten(ConfigLoader.referenceRendered());
        Map<String, List<String>> diff = new TreeMap<>();
        for (String key : union(a, b)) {
            if (FREE.stream().anyMatch(f -> key.equals(f) || key.startsWith(f + "."))) continue;
            String x = a.getOrDefault(key, defaults.getOrDefault(key, "(absent)")), y = b.getOrDefault(key, "(absent)");
            if (!x.equals(y)) diff.put(key, List.of(x, y));
        }
        return diff;
    }

    /** One line for an error or a log: {@code key: recorded -> current; ...}. */
    public static String describe(Map<String, List<String>> diff) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, List<String>> e : diff.entrySet()) {
            if (b.length() > 0) b.append("; ");
            b.append(e.getKey()).append(": ").append(e.getValue().get(0)).append(" -> ").append(e.getValue().get(1));
        }
        return b.toString();
    }

    private static java.util.Set<String> union(Map<String, String> a, Map<String, String> b) {
        java.util.Set<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }

    /** Every setting of a rendered configuration as key to its concise HOCON value, sorted by key. */
    public static Map<String, String> flatten(String rendered) {
        return flat(ConfigFactory.parseString(rendered));
    }

    private static Map<String, String> flat(Config c) {
        Map<String, String> m = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : c.entrySet()) m.put(e.getKey(), e.getValue().render(ConfigRenderOptions.concise()));
        return m;
    }
}
