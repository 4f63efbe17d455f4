package org.longspark.pipeline;

import java.io.PrintStream;
import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code longspark} command line: {@code longspark curate ...}. */
@Command(name = "longspark", mixinStandardHelpOptions = true, version = "longspark 0.1.0",
        description = "Spark pipeline for long-video diffusion training data and models.")
public final class LongsparkCli implements Runnable {
    /** Exit code for a run that could not start: bad option, configuration, input or output. */
    public static final int EXIT_BAD_REQUEST = 2;

    private final PrintWriter err;

    private LongsparkCli(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void run() {
        err.println("longspark: missing command; try `longspark curate --help`");
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line; returns the exit code (0 success, 2 bad request, 1 failure). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter errWriter = new PrintWriter(err, true);
        CommandLine cli = new CommandLine(new LongsparkCli(errWriter))
                .addSubcommand("curate", new CurateCommand(out));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(errWriter);
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof CurateConfig.Invalid || e instanceof OutputLocation.Unusable
                    || e instanceof IllegalArgumentException) {
                errWriter.println("longspark " + commandLine.getCommandName() + ": " + e.getMessage());
                return EXIT_BAD_REQUEST;
            }
            errWriter.println("longspark " + commandLine.getCommandName() + " failed: " + e);
            e.printStackTrace(errWriter);
            return 1;
        });
        return cli.execute(args);
    }
}
