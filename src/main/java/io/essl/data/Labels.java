package io.essl.data;

import io.essl.config.ConfigError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The labels file of a flat image folder (ImageNet's validation layout: every image in one folder, its class in a
 * file). One line per image: the file name (with or without its extension), then its class name after a comma or
 * spaces; anything after the class name is ignored. So both a plain {@code ILSVRC2012_val_00000001.JPEG n01751748}
 * list and Kaggle's {@code LOC_val_solution.csv} ({@code ImageId,PredictionString}, the class first in the
 * boxes) read as they are. Blank lines, {@code #} comments and a header naming {@code ImageId} are skipped.
 */
public record Labels(Map<String, String> classOf) implements Serializable {
    /** No labels file: every file of a flat folder unlabelled (embed --flat). */
    public static final Labels NONE = new Labels(Map.of());

    public static Labels read(Configuration hadoop, String uri) {
        Map<String, String> m = new HashMap<>();
        Path p = new Path(uri);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getFileSystem(hadoop).open(p),
                StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#") || (n == 1 && line.toLowerCase().startsWith("imageid"))) continue;
                String[] f = line.split("[,\\s]+", 3);
                if (f.length < 2) throw new ConfigError("labels file " + uri + " line " + n + ": expected <file> <class>: " + line);
                m.put(f[0], f[1]);
            }
        } catch (IOException e) {
            throw new ConfigError("cannot read labels file " + uri + ": " + e.getMessage());
        }
        if (m.isEmpty()) throw new ConfigError("labels file " + uri + " has no labels");
        return new Labels(m);
    }

    /** The class of a file by its name, with or without the extension; null if the file has no label. */
    public String of(String fileName) {
        String c = classOf.get(fileName);
        int dot = fileName.lastIndexOf('.');
        return c != null || dot < 0 ? c : classOf.get(fileName.substring(0, dot));
    }

    /** The class names, sorted (a class's index is its label, as for class folders). */
    public List<String> classes() {
        return List.copyOf(new TreeSet<>(classOf.values()));
    }
}
