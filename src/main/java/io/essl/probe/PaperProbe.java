package io.essl.probe;

import io.essl.augment.Flip;
import io.essl.augment.FloatImage;
import io.essl.augment.RandomResizedCrop;
import io.essl.augment.Seeds;
import io.essl.config.EsslConfig;
import io.essl.data.ImageRecord;
import io.essl.optim.WarmupCosineSchedule;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import io.essl.optim.MomentumSgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The paper protocol: a linear layer on the frozen encoder, trained with SGD (momentum as in PyTorch, cosine
 * schedule, no weight decay) on features of random-resized-crop + flip views, fresh every epoch. The views'
 * features are computed in Spark tasks and streamed to the driver partition by partition (never collected
 * whole), where the small linear layer takes its SGD steps; the test split is scored on whole images.
 */
public final class PaperProbe {
    private static final Logger log = LoggerFactory.getLogger(PaperProbe.class);
    private static final int VIEW = 100; // a view index of its own, apart from the pre-training views

    private PaperProbe() {
    }

    /**
     * @param shift  subtracted from every feature (the training features' mean), or zeros
     * @param scale  then divided by (their standard deviation), or ones: {@code probe.paper.standardize}
     */
    public static Metrics fit(SparkSession spark, JavaRDD<ImageRecord> train, Dataset<Row> testFeatures,
                              Broadcast<byte[]> encoder, int features, int classes, double[] shift, double[] scale,
                              EsslConfig conf) {
        EsslConfig.Probe p = conf.probe();
        long n = train.count();
        int stepsPerEpoch = (int) Math.max(1, (n + p.paperBatchSize() - 1) / p.paperBatchSize());
        MultiLayerNetwork linear = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(conf.seed()).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER)
                .updater(new MomentumSgd(new WarmupCosineSchedule(p.paperLr(), 0, 0, stepsPerEpoch * p.paperEpochs()),
                        p.paperMomentum()))
                .list().layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(features).nOut(classes)
                        .activation(Activation.SOFTMAX).build()).build());
        linear.init();
        int size = train.first().height();
        RandomResizedCrop crop = new RandomResizedCrop(size, p.paperCropScale(), conf.augment().cropRatio());
        long seed = conf.seed();
        for (int epoch = 0; epoch < p.paperEpochs(); epoch++) {
            int e = epoch;
            FeatureExtractor.View view = r -> {
                SplittableRandom rnd = Seeds.forView(seed, e, r.id(), VIEW);
                FloatImage img = crop.apply(FloatImage.of(r), rnd);
                return rnd.nextBoolean() ? Flip.horizontal(img) : img;
            };
            spark.sparkContext().setJobDescription("probe (paper protocol) epoch " + (epoch + 1) + "/" + p.paperEpochs());
            Dataset<Row> f = FeatureExtractor.extract(spark, train.mapPartitions(it -> shuffled(it, seed, e)), encoder,
                    view, conf.data().mean(), conf.data().std(), p.batchSize());
            double loss = 0;
            int steps = 0;
            for (Iterator<List<Row>> batches = batches(f.toLocalIterator(), p.paperBatchSize()); batches.hasNext(); ) {
                linear.fit(toDataSet(batches.next(), features, classes, shift, scale));
                loss += linear.score();
                steps++;
            }
            log.info("probe (paper) epoch {}/{}: loss {} lr {}", epoch + 1, p.paperEpochs(),
                    String.format("%.4f", loss / Math.max(1, steps)), String.format("%.4f", linear.getLearningRate(0)));
        }
        Metrics m = new Metrics(classes);
        for (Iterator<List<Row>> batches = batches(testFeatures.toLocalIterator(), 1024); batches.hasNext(); ) {
            List<Row> b = batches.next();
            INDArray probs = linear.output(toDataSet(b, features, classes, shift, scale).getFeatures(), false);
            for (int i = 0; i < b.size(); i++) m.add((int) b.get(i).getDouble(1), probs.getRow(i).toDoubleVector());
        }
        return m;
    }

    /** Each partition's images in an order of its own for every epoch. */
    private static Iterator<ImageRecord> shuffled(Iterator<ImageRecord> it, long seed, int epoch) {
        List<ImageRecord> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        l.sort((a, b) -> Long.compare(Seeds.key(seed, epoch, a.id()), Seeds.key(seed, epoch, b.id())));
        return l.iterator();
    }

    private static Iterator<List<Row>> batches(Iterator<Row> rows, int size) {
        return new Iterator<>() {
            public boolean hasNext() {
                return rows.hasNext();
            }

            public List<Row> next() {
                List<Row> b = new ArrayList<>(size);
                while (rows.hasNext() && b.size() < size) b.add(rows.next());
                return b;
            }
        };
    }

    private static DataSet toDataSet(List<Row> rows, int features, int classes, double[] shift, double[] scale) {
        float[][] x = new float[rows.size()][];
        float[][] y = new float[rows.size()][classes];
        for (int i = 0; i < rows.size(); i++) {
            double[] v = ((Vector) rows.get(i).get(2)).toArray();
            x[i] = new float[features];
            for (int j = 0; j < features; j++) x[i][j] = (float) ((v[j] - shift[j]) / scale[j]);
            y[i][(int) rows.get(i).getDouble(1)] = 1f;
        }
        return new DataSet(Nd4j.create(x), Nd4j.create(y));
    }
}
