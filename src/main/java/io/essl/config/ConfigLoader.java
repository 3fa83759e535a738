package io.essl.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;

import java.io.File;
import java.util.List;
import java.util.Map;

/**
 * Layers the configuration: {@code reference.conf} (every default) &lt; recipe file &lt; {@code --set} flags.
 * Keys unknown to reference.conf are rejected, so a typo never silently falls back to a default.
 */
public final class ConfigLoader {
    public static final String ROOT = "essl";
    /** Free-form subtrees: any key is allowed below these. */
    private static final List<String> OPEN_PATHS = List.of("essl.spark.conf");

    private ConfigLoader() {
    }

    public static Config reference() {
        return ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf",
                ConfigParseOptions.defaults().setAllowMissing(false));
    }

    /** reference.conf's own settings, rendered as {@link EsslConfig#rendered()} renders a run's. */
    public static String referenceRendered() {
        return reference().resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true)).getConfig(ROOT).root().render(ConfigRenderOptions.concise().setFormatted(true));
    }

    /** Loads and validates; throws {@link ConfigError} naming the offending key or file. */
    public static EsslConfig load(File recipe, List<String> overrides) {
        return load(ConfigFactory.empty(), recipe, overrides);
    }

    /** Recipe shipped inside the jar (conf/NAME is packaged as recipes/NAME). */
    public static Config recipeResource(String name) {
        return ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "recipes/" + name,
                ConfigParseOptions.defaults().setAllowMissing(false));
    }

    /**
     * A configuration recorded earlier (e.g. in a model file), as rendered HOCON. Keys this version no longer
     * knows are dropped (with a warning), so a model saved by an older version can still be probed.
     */
    public static Config parseRecorded(String rendered) {
        Config recorded = ConfigFactory.parseString(rendered).atKey(ROOT);
        Config reference = reference();
        for (Map.Entry<String, ConfigValue> e : recorded.entrySet()) {
            String key = e.getKey();
            if (!isKnown(reference, key)) {
                System.err.println("essl: ignoring recorded key no longer known: " + key);
                recorded = recorded.withoutPath(key);
            }
        }
        return recorded;
    }

    /** base &lt; recipe file &lt; overrides, all on top of reference.conf. */
    public static EsslConfig load(Config base, File recipe, List<String> overrides) {
        Config merged = merged(base, recipe, overrides);
        try {
            return EsslConfig.from(merged.getConfig(ROOT));
        } catch (ConfigException e) {
            throw new ConfigError("configuration error: " + e.getMessage());
        }
    }

    /**
     * The resolved configuration as HOCON, one {@code essl.key = value} line per setting in key order, each with a
     * comment naming where the value came from (reference.conf or the recipe and its line, or the {@code --set}
     * flag): what {@code bin/essl config} prints. Flat lines so that one setting is one grep away.
     */
    public static String explain(Config base, File recipe, List<String> overrides) {
        Config essl = merged(base, recipe, overrides).getConfig(ROOT);
        try {
            EsslConfig.from(essl); // the same validation as a run: an invalid recipe is a config error here too
        } catch (ConfigException e) {
            throw new ConfigError("configuration error: " + e.getMessage());
        }
        StringBuilder b = new StringBuilder();
        new java.util.TreeMap<>(essl.atKey(ROOT).entrySet().stream().collect(java.util.stream.Collectors.toMap(
                Map.Entry::getKey, Map.Entry::getValue))).forEach((key, value) -> b.append(key).append(" = ")
                .append(value.render(ConfigRenderOptions.concise())).append("  # ").append(origin(value.origin())).append('\n'));
        return b.toString();
    }

    /** "reference.conf:167", "conf/demo.conf:12", "--set train.epochs=3". */
    private static String origin(com.typesafe.config.ConfigOrigin o) {
        if (o.description().startsWith("--set ")) return o.description().replaceFirst(": \\d+$", "");
        String where = o.resource() != null ? o.resource() : o.filename() != null ? o.filename() : o.description();
        return o.lineNumber() > 0 ? where + ":" + o.lineNumber() : where;
    }

    /** The checked, resolved tree (reference.conf under everything). */
    private static Config merged(Config base, File recipe, List<String> overrides) {
        Config reference = reference();
        Config user = base;
        try {
            if (recipe != null) {
                if (!recipe.isFile()) {
                    throw new ConfigError("config file not found: " + recipe);
                }
                user = ConfigFactory.parseFile(recipe, ConfigParseOptions.defaults().setAllowMissing(false)).withFallback(user);
            }
            for (String kv : overrides) {
                user = parseOverride(kv).withFallback(user);
            }
            checkKnownKeys(user, reference);
            return user.withFallback(reference).resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true));
        } catch (ConfigException e) {
            throw new ConfigError("configuration error: " + e.getMessage());
        }
    }

    /** {@code key=value} in HOCON syntax; the {@code essl.} prefix is optional. */
    static Config parseOverride(String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw new ConfigError("--set expects key=value, got: " + kv);
        }
        String key = kv.substring(0, eq).trim();
        String value = kv.substring(eq + 1).trim();
        if (!key.startsWith(ROOT + ".")) {
            key = ROOT + "." + key;
        }
        // the origin that bin/essl config shows for the value
        ConfigParseOptions origin = ConfigParseOptions.defaults().setOriginDescription("--set " + kv);
        try {
            return ConfigFactory.parseString(key + " = " + (value.isEmpty() ? "\"\"" : value), origin);
        } catch (ConfigException e) {
            // A bare string HOCON cannot parse (e.g. a path with ':'): take it literally.
            return ConfigFactory.parseString(key + " = " + ConfigValueFactory.fromAnyRef(value).render(), origin);
        }
    }

    /**
     * Key names Spark itself redacts (its default spark.redaction.regex, less "access.key", an id). The resolved
     * configuration is recorded in reports, model files and checkpoints, so a secret must never be one of its values.
     */
    private static final java.util.regex.Pattern SECRET = java.util.regex.Pattern.compile("(?i)secret|password|token|credential");

    private static void checkKnownKeys(Config user, Config reference) {
        for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("essl.spark.conf.") && SECRET.matcher(key).find()) {
                throw new ConfigError("configuration key " + key + " would put a secret into reports and model files: "
                        + "give credentials through the AWS provider chain (environment, system properties, profile, "
                        + "instance role) instead");
            }
            if (!isKnown(reference, key)) {
                throw new ConfigError("unknown configuration key: " + key + " (" + e.getValue().origin().description() + ")");
            }
        }
    }

    /** A key of reference.conf, or any key below a free-form subtree. */
    private static boolean isKnown(Config reference, String key) {
        return reference.hasPathOrNull(key) || OPEN_PATHS.stream().anyMatch(p -> key.startsWith(p + "."));
    }
}
