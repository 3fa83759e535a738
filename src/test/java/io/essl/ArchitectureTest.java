package io.essl;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** The packages form layers: no package reaches back into one that depends on it (docs/architecture.md). */
class ArchitectureTest {
    private static final Pattern USE = Pattern.compile("io\\.essl\\.([a-z]+)\\.[A-Z]");

    /** package -> the io.essl packages its main sources name (imports and qualified names alike). */
    static Map<String, Set<String>> dependencies() throws Exception {
        Path root = Path.of("src/main/java/io/essl");
        Map<String, Set<String>> deps = new TreeMap<>();
        List<Path> files;
        try (var walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        for (Path f : files) {
            String pkg = root.relativize(f.getParent()).toString().replace('/', '.');
            Set<String> d = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
            Matcher m = USE.matcher(Files.readString(f));
            while (m.find()) if (!m.group(1).equals(pkg)) d.add(m.group(1));
        }
        return deps;
    }

    @Test
    void thePackagesHaveNoCycles() throws Exception {
        Map<String, Set<String>> deps = dependencies();
        assertTrue(deps.keySet().containsAll(List.of("cli", "config", "model", "optim", "train", "probe")), deps.toString());
        for (String start : deps.keySet()) {
            // every package reachable from start must not lead back to it
            List<String> path = cycleFrom(start, start, deps, new ArrayList<>(List.of(start)), new TreeSet<>());
            assertNull(path, "package cycle: " + path + " in " + deps);
        }
        assertTrue(deps.get("config").isEmpty(), "config is the bottom layer: " + deps.get("config"));
        assertFalse(deps.get("model").contains("train"), "the network definition does not know the training loop");
        assertFalse(deps.get("train").contains("probe"), "training takes its epoch-end monitor from the command");
    }

    private static List<String> cycleFrom(String start, String at, Map<String, Set<String>> deps, List<String> path, Set<String> seen) {
        for (String next : deps.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                List<String> p = new ArrayList<>(path);
                p.add(next);
                return p;
            }
            if (seen.add(next)) {
                path.add(next);
                List<String> found = cycleFrom(start, next, deps, path, seen);
                if (found != null) return found;
                path.remove(path.size() - 1);
            }
        }
        return null;
    }
}
