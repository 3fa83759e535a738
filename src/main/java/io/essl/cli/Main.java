package io.essl.cli;

import io.essl.config.ConfigError;
import io.essl.config.RunFailure;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code essl <command>}: exit 0 on success, 2 on bad input or configuration, 1 on failure. */
@Command(name = "essl", mixinStandardHelpOptions = true, version = "essl-spark 0.1.0",
        description = "Equivariant self-supervised pre-training (E-SimCLR) and linear probing on Apache Spark.",
        subcommands = {PretrainCommand.class, ProbeCommand.class, PipelineCommand.class, DemoCommand.class, IngestCommand.class,
                ModelCommand.class, BenchCommand.class, ConfigCommand.class, GpuCheckCommand.class, PhotonicsCommand.class, EmbedCommand.class, NeighboursCommand.class,
                FinetuneCommand.class, ExportCommand.class})
public class Main {
    public static final int OK = 0, FAILURE = 1, BAD_INPUT = 2;

    /** Picocli sets this while parsing, before any command logs; every subcommand takes the option (INHERIT). */
    @CommandLine.Option(names = "--log-format", paramLabel = "text|json", scope = CommandLine.ScopeType.INHERIT,
            description = "text (default) or json: one JSON event per line, for log aggregators.")
    void logFormat(String format) {
        switch (format) {
            case "text" -> { }
            case "json" -> Logs.json();
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                    "--log-format expects text or json, got: " + format);
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs a command with errors going to {@code err} (tests read it). */
    public static int run(java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable root = ex;
            while (!(root instanceof ConfigError) && !(root instanceof RunFailure) && root.getCause() != null
                    && root.getCause() != root) root = root.getCause();
            if (root instanceof ConfigError) {
                cmd.getErr().println("essl: " + root.getMessage());
                return BAD_INPUT;
            }
            if (root instanceof RunFailure) {
                cmd.getErr().println("essl: failed: " + root.getMessage());
                LoggerFactory.getLogger(Main.class).debug("the failure in full", root);
                return FAILURE;
            }
            cmd.getErr().println("essl: failed: " + ex);
            ex.printStackTrace(cmd.getErr());
            return FAILURE;
        });
        return cli.execute(args);
    }
}
