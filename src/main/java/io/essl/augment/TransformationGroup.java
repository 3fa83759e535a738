package io.essl.augment;

/**
 * A finite group acting on images, whose element the rotation head learns to predict (E-SSL's equivariance
 * target). Element k of the group is labelled k; element 0 is the identity.
 */
public interface TransformationGroup extends java.io.Serializable {
    int size();

    FloatImage apply(int element, FloatImage img);
}
