package io.essl.kernels;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/** When a layer may hand its backward pass an array it computed in the forward pass. */
public final class ForwardOutputs {
    private ForwardOutputs() {
    }

    /**
     * True for an array in a workspace that is open and still in the generation the array was written in, i.e.
     * within the forward-backward iteration that made it. Detached arrays are never trusted: nothing tells
     * whether the weights changed since.
     */
    public static boolean live(INDArray a) {
        if (a == null || !a.isAttached()) return false;
        MemoryWorkspace ws = a.data().getParentWorkspace();
        return ws != null && ws.isScopeActive() && ws.getGenerationId() == a.data().getGenerationId();
    }
}
