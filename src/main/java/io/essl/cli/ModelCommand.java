package io.essl.cli;

import io.essl.augment.Groups;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.model.EsslGraph;
import io.essl.model.SslMethod;
import io.essl.optim.Optimisers;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Builds the pre-training network of a recipe and prints its parameter counts, as torchvision counts them. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Print the parameter counts of the pre-training network (backbone, projector, predictor, group head).")
public class ModelCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--backbone", description = "resnet18-small or resnet50 (default: the recipe's).")
    String backbone;

    @Option(names = "--method", description = "simclr, simsiam or barlow-twins (default: the recipe's).")
    String method;

    @Option(names = "--group", description = "The group head's transformation group, e.g. rot4, hflip, jigsaw (default: the recipe's).")
    String group;

    @Option(names = "--width", description = "Channel multiplier, 1.0 = the paper's network (default: the recipe's).")
    Double width;

    @Option(names = "--channels", defaultValue = "3", description = "Input channels (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--size", defaultValue = "32", description = "Side of views 1 and 2 (default: ${DEFAULT-VALUE}).")
    int size;

    @Override
    public Integer call() {
        List<String> sets = new ArrayList<>(common.overrides);
        if (backbone != null) sets.add("model.backbone=" + backbone);
        if (width != null) sets.add("model.width=" + width);
        if (method != null) sets.add("model.method=" + method);
        if (group != null) sets.add("model.group=" + group);
        EsslConfig conf = ConfigLoader.load(common.config, sets);
        EsslConfig.Model m = conf.model();
        int groupSize = Groups.sizeOf(m, conf.seed());
        EsslGraph.Shape shape = new EsslGraph.Shape(channels, size, size, conf.augment().view3Size(size));
        Optimisers.Optimisation opt = Optimisers.of(conf.train(), conf.train().batchSize(), 0, 1);
        ComputationGraph g = new ComputationGraph(EsslGraph.pretraining(m, shape, groupSize, opt,
                conf.seed(), DataType.FLOAT));
        g.init();
        Map<String, Long> parts = new LinkedHashMap<>();
        for (String p : List.of("backbone", "projector", "predictor", "group_head")) parts.put(p, 0L);
        Map<String, String> methodParts = SslMethod.of(m).parts();
        for (GraphVertex v : g.getVertices()) {
            String name = v.getVertexName();
            String part = name.equals(EsslGraph.BACKBONE) ? "backbone" : methodParts.entrySet().stream()
                    .filter(e -> name.startsWith(e.getValue())).map(Map.Entry::getKey).findFirst().orElse("group_head");
            parts.merge(part, EsslGraph.trainableParameters(v), Long::sum);
        }
        long total = parts.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("%s: %s, width %s, %d input channel(s), group %s (%d elements); features %d%n",
                SslMethod.displayName(m), m.backbone(), m.width(), channels, Groups.nameOf(m), groupSize,
                EsslGraph.backboneSpec(m, channels).features());
        parts.forEach((k, v) -> System.out.printf("  %-14s %,14d%n", k, v));
        System.out.printf("  %-14s %,14d   (weights, biases, norm scales and shifts; no running statistics)%n", "total", total);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("method", SslMethod.displayName(m));
        json.put("backbone", m.backbone());
        json.put("width", m.width());
        json.put("group", Groups.nameOf(m));
        json.put("group_size", groupSize);
        json.put("channels", channels);
        json.put("features", EsslGraph.backboneSpec(m, channels).features());
        json.put("backbone_parameters", parts.getOrDefault("backbone", 0L));
        json.put("projector_parameters", parts.getOrDefault("projector", 0L));
        json.put("predictor_parameters", parts.getOrDefault("predictor", 0L));
        json.put("group_head_parameters", parts.getOrDefault("group_head", 0L));
        json.put("total_parameters", total);
        System.out.println(io.essl.report.Report.line(json));
        return Main.OK;
    }
}
