package io.essl.augment;

import io.essl.data.ImageRecord;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.Serializable;
import java.util.List;

/**
 * Turns a batch of images into one DL4J minibatch inside a Spark task: the pre-training batch of the E-SSL graph
 * ({@link BatchBuilder}) or a labelled one for fine-tuning.
 */
public interface BatchMaker extends Serializable {
    MultiDataSet build(List<ImageRecord> images, int epoch);

    /**
     * Whether the batch carries its position in the run in its first labels (model.BatchLayout): true for the
     * pre-training graph, whose first output ignores its labels; false where those labels are real (classes).
     */
    default boolean positioned() {
        return true;
    }
}
