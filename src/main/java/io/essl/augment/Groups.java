package io.essl.augment;

import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * name -> group: the values of {@code model.group}. A new group is one class implementing
 * {@link TransformationGroup} and one entry here (docs/architecture.md). {@code none} is the plain method: no group
 * head, which needs model.lambda = 0.
 */
public final class Groups {
    public static final String NONE = "none";
    /** name -> (model.group-size, seed) -> group; model.group-size 0 means the group's whole size. */
    private static final Map<String, BiFunction<Integer, Long, TransformationGroup>> GROUPS = groups();

    private Groups() {
    }

    private static Map<String, BiFunction<Integer, Long, TransformationGroup>> groups() {
        Map<String, BiFunction<Integer, Long, TransformationGroup>> g = new LinkedHashMap<>();
        g.put("rot4", (k, seed) -> new FourFoldRotation());
        g.put("hflip", (k, seed) -> new HorizontalFlipGroup());
        g.put("vflip", (k, seed) -> new VerticalFlipGroup());
        g.put("invert", (k, seed) -> new InversionGroup());
        g.put("grayscale", (k, seed) -> new GrayscaleGroup());
        g.put("jigsaw", (k, seed) -> new JigsawGroup(k == 0 ? JigsawGroup.ALL : k, seed));
        g.put("translate-half", (k, seed) -> new HalfTranslationGroup());
        return java.util.Collections.unmodifiableMap(g);
    }

    /** Every value model.group takes, none included. */
    public static java.util.List<String> names() {
        java.util.List<String> n = new java.util.ArrayList<>(GROUPS.keySet());
        n.add(NONE);
        return n;
    }

    /** The configured group (null for none); seed fixes jigsaw's subset. Errors name the key. */
    public static TransformationGroup of(EsslConfig.Model m, long seed) {
        if (m.group().equals(NONE)) {
            if (m.lambda() > 0) {
                throw new ConfigError("bad value for key essl.model.group: none has no group head; set model.lambda = 0"
                        + " (got " + m.lambda() + ") or name a group");
            }
            return null;
        }
        var make = GROUPS.get(m.group());
        if (make == null) throw new ConfigError("bad value for key essl.model.group: " + m.group() + " (one of " + names() + ")");
        TransformationGroup g = make.apply(m.groupSize(), seed);
        if (m.groupSize() != 0 && m.groupSize() != g.size()) {
            throw new ConfigError("bad value for key essl.model.group-size: " + m.group() + " has " + g.size()
                    + " elements, got " + m.groupSize() + " (0 for all; only jigsaw takes a subset)");
        }
        if (m.groupSamples() > g.size()) {
            throw new ConfigError("bad value for key essl.model.group-samples: " + m.groupSamples() + " is more than the "
                    + g.size() + " elements of " + m.group() + " (0 for all)");
        }
        return g;
    }

    /** The group a configured network predicts, as reports name it: none without a group head (lambda 0). */
    public static String nameOf(EsslConfig.Model m) {
        return m.lambda() > 0 ? m.group() : NONE;
    }

    /** Its number of elements (the head's outputs), 0 without a group head. */
    public static int sizeOf(EsslConfig.Model m, long seed) {
        return m.lambda() > 0 ? of(m, seed).size() : 0;
    }
}
