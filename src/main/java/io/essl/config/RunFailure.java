package io.essl.config;

/**
 * A run that failed for a reason outside the configuration (storage went away, a path became unwritable) and whose
 * message already says what and where: the CLI prints {@code essl: failed: <message>} as one line and exits with
 * code 1, without the stack trace (logged at debug level), because the trace of a Hadoop or AWS client says less
 * than the message.
 */
public class RunFailure extends RuntimeException {
    public RunFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /** The exception's type and the first line of its message, cut at 300 characters (AWS messages run long). */
    public static String oneLine(Throwable e) {
        String m = e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }

    /** The innermost cause: where a wrapped storage error says what really happened (connection refused, EPERM). */
    public static Throwable root(Throwable e) {
        Throwable r = e;
        while (r.getCause() != null && r.getCause() != r) r = r.getCause();
        return r;
    }

    /** Whether a storage client failed somewhere in the chain (Hadoop's IOExceptions, the AWS SDK's exceptions). */
    public static boolean isStorage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.io.IOException || t.getClass().getName().startsWith("com.amazonaws.")) return true;
        }
        return false;
    }
}
