package io.essl.config;

/** Bad configuration or input: the CLI prints the message as one line and exits with code 2. */
public class ConfigError extends RuntimeException {
    public ConfigError(String message) {
        super(message);
    }

    public ConfigError(String message, Throwable cause) {
        super(message, cause);
    }
}
