package io.essl.model;

import io.essl.augment.BatchBuilder;
import io.essl.augment.FourFoldRotation;
import io.essl.augment.ViewFactory;
import io.essl.augment.ViewsTest;
import io.essl.config.EsslConfig;
import io.essl.data.ImageRecord;
import io.essl.optim.Optimisers;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ModelFileTest {

    @Test
    void saveLoadRoundTripKeepsParametersOutputsUpdaterAndMetadata(@TempDir File tmp) throws Exception {
        EsslConfig.Model m = new EsslConfig.Model("resnet18-small", 1.0 / 16, false, new int[]{16, 8}, false,
                new int[]{16}, 0, "infonce", 0.5, 0.4, "simclr", new int[]{512}, 0.0051, false, "rot4", 0, 0);
        EsslGraph.Shape shape = new EsslGraph.Shape(1, 12, 12, 6);
        Optimisers.Optimisation opt = new Optimisers.Optimisation(new Adam(1e-3), List.of(), List.of(), null, 1e-3);
        ComputationGraph g = new ComputationGraph(EsslGraph.pretraining(m, shape, 4, opt, 1, DataType.FLOAT));
        g.init();
        List<ImageRecord> imgs = new ArrayList<>();
        for (int i = 0; i < 4; i++) imgs.add(ViewsTest.image(i, 12));
        MultiDataSet batch = new BatchBuilder(new ViewFactory(1, 12, 6, ViewsTest.AUG, new double[]{0.5},
                new double[]{0.25}, new FourFoldRotation()), true).build(imgs, 0);
        g.fit(batch); // so there is updater state to keep

        String path = new File(tmp, "sub/model.zip").getPath();
        ModelFile.save(g, Map.of("method", "E-SimCLR", "lambda", 0.4), path, new Configuration());
        assertEquals(List.of("model.zip"), List.of(new File(tmp, "sub").list()), "no temporary files left behind");
        ModelFile.Loaded back = ModelFile.load(path, new Configuration());

        assertEquals(g.params(), back.graph().params());
        assertEquals(g.getUpdater().getStateViewArray(), back.graph().getUpdater().getStateViewArray());
        assertEquals("E-SimCLR", back.metadata().get("method"));
        INDArray x = batch.getFeatures(0);
        INDArray[] a = g.output(false, batch.getFeatures()), b = back.graph().output(false, batch.getFeatures());
        assertEquals(a[0], b[0]);
        assertEquals(a[1], b[1]);
        // The loss object survives serialisation with its temperature.
        InfoNceLoss loss = (InfoNceLoss) ((org.deeplearning4j.nn.conf.layers.LossLayer) back.graph()
                .getLayer(EsslGraph.CONTRASTIVE).conf().getLayer()).getLossFn();
        assertEquals(0.5, loss.temperature());

        // The encoder extracted from the loaded graph gives the same features as from the original.
        INDArray e1 = EsslGraph.extractEncoder(g, m, shape).output(false, x)[0];
        INDArray e2 = EsslGraph.extractEncoder(back.graph(), m, shape).output(false, x)[0];
        assertArrayEquals(new long[]{x.size(0), new Backbones.Spec(m.backbone(), m.width(), 1, false).features()}, e1.shape());
        assertEquals(e1, e2);
    }

    @Test
    void loadRejectsNonModelsAndMissingFiles(@TempDir File tmp) throws Exception {
        File junk = new File(tmp, "junk.zip");
        java.nio.file.Files.writeString(junk.toPath(), "not a model");
        assertThrows(Exception.class, () -> ModelFile.load(junk.getPath(), new Configuration()));
        assertThrows(java.io.FileNotFoundException.class,
                () -> ModelFile.load(new File(tmp, "missing.zip").getPath(), new Configuration()));
    }
}
