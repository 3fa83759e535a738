package io.essl.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import io.essl.data.ImageRecord;
import org.nd4j.kryo.Nd4jRegistrator;

/**
 * ND4J's Kryo registrations (INDArrays and friends) plus ours. Spark's Kryo 4 cannot build Java records with its
 * field serializer ("can't get field offset on a record class"), so records that Spark shuffles or caches in
 * serialised form go through Java serialisation.
 */
public class EsslKryoRegistrator extends Nd4jRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        super.registerClasses(kryo);
        kryo.register(ImageRecord.class, new JavaSerializer());
    }
}
