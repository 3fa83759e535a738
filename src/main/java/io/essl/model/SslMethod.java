package io.essl.model;

import io.essl.config.EsslConfig;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An invariance-based SSL method, the base E-SSL adds its group head to ({@code model.method}). A method builds,
 * on the backbone features of the two views (2N rows, view 1's first), its projector, any predictor, and the loss
 * layer named {@link EsslGraph#CONTRASTIVE} (the graph's invariance output, whatever the method); the group
 * head and everything else in the network are the method's no concern. A fourth method is one more class here and
 * one more entry in {@link #METHODS} (docs/architecture.md).
 */
public interface SslMethod {
    /** name -> method: the values of model.method. */
    Map<String, SslMethod> METHODS = methods();

    private static Map<String, SslMethod> methods() {
        Map<String, SslMethod> m = new LinkedHashMap<>();
        for (SslMethod s : new SslMethod[]{new SimClr(), new SimSiam(), new BarlowTwins()}) m.put(s.name(), s);
        return java.util.Collections.unmodifiableMap(m);
    }

    static SslMethod of(EsslConfig.Model m) {
        SslMethod s = METHODS.get(m.method());
        if (s == null) throw new IllegalArgumentException("unknown model.method " + m.method() + " (one of " + METHODS.keySet() + ")");
        return s;
    }

    /** A configured network's method as reports and model files name it: "SimSiam", "E-SimSiam" (lambda > 0). */
    static String displayName(EsslConfig.Model m) {
        return of(m).displayName(m.lambda());
    }

    /** The config name. */
    String name();

    /** "SimSiam", or "E-SimSiam" when the group head is on (lambda > 0). */
    default String displayName(double lambda) {
        return (lambda > 0 ? "E-" : "") + baseName();
    }

    String baseName();

    /** The invariance loss as progress lines and curves name it ("NT-Xent", "negative cosine", ...). */
    String lossName(EsslConfig.Model m);

    /** The reference's weight of the group loss with this base (ESSL-SPEC.md): what its E-recipes set. */
    double referenceLambda();

    /** Adds projector, predictor and the invariance loss layer on {@code rows}; returns nothing the graph needs. */
    void addInvariance(ComputationGraphConfiguration.GraphBuilder b, EsslConfig.Model m, int features, String rows);

    /** Parameter-count groups of this method's vertices, by name prefix: part name -> prefix. */
    default Map<String, String> parts() {
        return Map.of("projector", "proj_");
    }

    /** SimCLR: projector, then the contrastive loss of model.loss (InfoNCE or NT-Xent). */
    final class SimClr implements SslMethod {
        public String name() {
            return "simclr";
        }

        public String baseName() {
            return "SimCLR";
        }

        public String lossName(EsslConfig.Model m) {
            return m.loss().equals("ntxent") ? "NT-Xent" : "InfoNCE";
        }

        public double referenceLambda() {
            return 0.4;
        }

        public void addInvariance(ComputationGraphConfiguration.GraphBuilder b, EsslConfig.Model m, int features, String rows) {
            String z = EsslGraph.projector(b, m, features, rows, true);
            b.addLayer(EsslGraph.CONTRASTIVE, EsslGraph.lossLayer(EsslGraph.contrastiveLoss(m)), z);
        }
    }

    /**
     * SimSiam: projector (model.projector, last BatchNorm without affine as the reference), predictor (Linear no
     * bias + BN + ReLU per entry of model.predictor, then Linear with bias back to the projector's width), and the
     * symmetric negative cosine between each view's prediction and the other view's projection through a
     * stop-gradient.
     */
    final class SimSiam implements SslMethod {
        public String name() {
            return "simsiam";
        }

        public String baseName() {
            return "SimSiam";
        }

        public String lossName(EsslConfig.Model m) {
            return "negative cosine";
        }

        public double referenceLambda() {
            return 0.08;
        }

        public void addInvariance(ComputationGraphConfiguration.GraphBuilder b, EsslConfig.Model m, int features, String rows) {
            String z = EsslGraph.projector(b, m, features, rows, true);
            int[] proj = m.projector(), hidden = m.predictor();
            int in = proj[proj.length - 1];
            String x = z;
            for (int i = 0; i < hidden.length; i++) {
                b.addLayer("pred_fc" + (i + 1), LinearLayer.of(in, hidden[i], org.nd4j.linalg.activations.Activation.IDENTITY, false), x);
                b.addLayer("pred_bn" + (i + 1), BatchNormLayer.of(hidden[i], 1), "pred_fc" + (i + 1));
                b.addLayer("pred_relu" + (i + 1), new ReluLayer(), "pred_bn" + (i + 1));
                x = "pred_relu" + (i + 1);
                in = hidden[i];
            }
            b.addLayer("pred_out", LinearLayer.of(in, proj[proj.length - 1], org.nd4j.linalg.activations.Activation.IDENTITY, true), x);
            b.addLayer("target_stop_gradient", new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder()
                    .activation(new StopGradient()).build(), z);
            b.addVertex("prediction_and_target", new org.deeplearning4j.nn.conf.graph.MergeVertex(), "pred_out", "target_stop_gradient");
            b.addLayer(EsslGraph.CONTRASTIVE, EsslGraph.lossLayer(new NegativeCosineLoss()), "prediction_and_target");
        }

        @Override
        public Map<String, String> parts() {
            return Map.of("projector", "proj_", "predictor", "pred_");
        }
    }

    /**
     * Barlow Twins: projector of Linear (no bias) + BN + ReLU per entry of model.projector but the last, which is a
     * plain Linear (the reference's), then the cross-correlation loss, whose per-view normalisation is the
     * reference's BatchNorm1d without affine.
     */
    final class BarlowTwins implements SslMethod {
        public String name() {
            return "barlow-twins";
        }

        public String baseName() {
            return "Barlow Twins";
        }

        public String lossName(EsslConfig.Model m) {
            return "cross-correlation";
        }

        public double referenceLambda() {
            return 8;
        }

        public void addInvariance(ComputationGraphConfiguration.GraphBuilder b, EsslConfig.Model m, int features, String rows) {
            String z = EsslGraph.projector(b, m, features, rows, false);
            b.addLayer(EsslGraph.CONTRASTIVE, EsslGraph.lossLayer(new BarlowTwinsLoss(m.barlowOffDiagonal())), z);
        }
    }
}
