package io.essl.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.util.List;
import java.util.function.BiFunction;

/** Typed reads that name the full key on a wrong type or an out-of-range value. */
final class Settings {
    private final Config c;
    private final String prefix;

    Settings(Config c, String prefix) {
        this.c = c;
        this.prefix = prefix;
    }

    Settings section(String name) {
        return new Settings(c.getConfig(name), prefix + name + ".");
    }

    Config raw() {
        return c;
    }

    String key(String path) {
        return prefix + path;
    }

    String str(String p) {
        return get(p, Config::getString);
    }

    java.util.List<String> strings(String p) {
        return java.util.List.copyOf(get(p, Config::getStringList));
    }

    boolean bool(String p) {
        return get(p, Config::getBoolean);
    }

    int integer(String p, int min) {
        int v = get(p, Config::getInt);
        if (v < min) throw new ConfigError("bad value for key " + key(p) + ": " + v + " (must be >= " + min + ")");
        return v;
    }

    double num(String p, double min, double max) {
        double v = get(p, Config::getDouble);
        if (v < min || v > max) {
            throw new ConfigError("bad value for key " + key(p) + ": " + v + " (must be in [" + min + ", " + max + "])");
        }
        return v;
    }

    double[] range(String p, double min, double max) {
        List<Double> l = get(p, Config::getDoubleList);
        if (l.size() != 2 || l.get(0) > l.get(1) || l.get(0) < min || l.get(1) > max) {
            throw new ConfigError("bad value for key " + key(p) + ": " + l + " (want [lo, hi] within [" + min + ", " + max + "])");
        }
        return new double[]{l.get(0), l.get(1)};
    }

    double[] doubles(String p) {
        return get(p, Config::getDoubleList).stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Three probabilities, one per view (view 1, view 2, view 3). */
    double[] perView(String p) {
        double[] v = doubles(p);
        if (v.length != 3) throw new ConfigError("bad value for key " + key(p) + ": want [view 1, view 2, view 3]");
        for (double x : v) {
            if (x < 0 || x > 1) throw new ConfigError("bad value for key " + key(p) + ": " + x + " (must be in [0, 1])");
        }
        return v;
    }

    int[] ints(String p, int min) {
        int[] v = get(p, Config::getIntList).stream().mapToInt(Integer::intValue).toArray();
        for (int x : v) {
            if (x < min) throw new ConfigError("bad value for key " + key(p) + ": " + x + " (must be >= " + min + ")");
        }
        return v;
    }

    String oneOf(String p, String... allowed) {
        String v = str(p);
        for (String a : allowed) {
            if (a.equals(v)) return v;
        }
        throw new ConfigError("bad value for key " + key(p) + ": '" + v + "' (one of " + String.join(", ", allowed) + ")");
    }

    private <T> T get(String p, BiFunction<Config, String, T> getter) {
        try {
            return getter.apply(c, p);
        } catch (ConfigException.WrongType e) {
            throw new ConfigError("wrong type for key " + key(p) + ": " + e.getMessage().replaceFirst("^.*?: \\d+: ", ""));
        } catch (ConfigException.Missing e) {
            throw new ConfigError("missing key " + key(p));
        }
    }
}
