package io.essl.photonics;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A photonic-crystal data set generated in Spark tasks: cells {@code first .. first + count - 1} of a seed
 * ({@link RandomCells}), each with its TM DOS and target when labelled (the solver runs in the task), written as
 * Parquet in overwrite mode through Spark's commit protocol, so a rerun replaces a half-written output.
 */
public final class Generator {
    /** The solver's settings for the labels. */
    public record Labels(int cutoff, int kGrid, double sigma) implements java.io.Serializable {
    }

    public record Result(long cells, double seconds, int partitions) {
    }

    private Generator() {
    }

    public static StructType schema(boolean labelled) {
        StructType s = new StructType().add("id", DataTypes.LongType).add("eps", DataTypes.createArrayType(DataTypes.FloatType, false));
        return labelled ? s.add("dos", DataTypes.createArrayType(DataTypes.FloatType, false))
                .add("target", DataTypes.createArrayType(DataTypes.FloatType, false)) : s;
    }

    public static Result write(SparkSession spark, long seed, long first, long count, Labels labels, int partitions, String output) {
        long start = System.nanoTime();
        // the ids as a range the tasks enumerate: nothing per cell on the driver, whatever the count
        JavaRDD<Row> rows = spark.range(first, first + count, 1, partitions).javaRDD().map(id -> row(seed, id, labels));
        spark.createDataFrame(rows, schema(labels != null)).write().mode(SaveMode.Overwrite).parquet(output);
        return new Result(count, (System.nanoTime() - start) / 1e9, partitions);
    }

    static Row row(long seed, long id, Labels labels) {
        UnitCell cell = RandomCells.cell(seed, id);
        Float[] eps = boxed(cell.eps());
        if (labels == null) return RowFactory.create(id, eps);
        double[] dos = DensityOfStates.of(cell, labels.cutoff(), labels.kGrid(), labels.sigma());
        return RowFactory.create(id, eps, boxed(dos), boxed(DensityOfStates.target(dos)));
    }

    private static Float[] boxed(double[] v) {
        Float[] f = new Float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }
}
