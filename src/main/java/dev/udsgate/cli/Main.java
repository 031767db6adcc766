package dev.udsgate.cli;

import dev.udsgate.config.InvalidConfigException;
import java.io.PrintWriter;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * {@code udsgate}'s entry point, and the only place that exits the process.
 *
 * <p>Exit codes: 0 done (a graceful stop included), 1 failed at start or stopped forcibly, 2 bad
 * command line.
 */
public final class Main {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line.
     *
     * @return the exit code
     */
    public static int run(String[] args) {
        PrintWriter err = new PrintWriter(System.err, true);
        CommandLine commandLine = new CommandLine(new UdsgateCommand())
                .addSubcommand(new ServeCommand())
                .addSubcommand(new EchoCommand())
                .addSubcommand(new CheckConfigCommand())
                // Prints a bash (and zsh, through bashcompinit) completion script: see the README.
                .addSubcommand(new AutoComplete.GenerateCompletion())
                .setParameterExceptionHandler((e, arguments) -> {
                    err.println("udsgate: " + e.getMessage() + " (see 'udsgate " + helpFor(e.getCommandLine())
                            + "--help')");
                    return EXIT_USAGE;
                })
                .setExecutionExceptionHandler((e, cl, parsed) -> {
                    err.println("udsgate: " + e.getMessage());
                    // A configuration that cannot be used is bad input, like a bad flag.
                    return e instanceof InvalidConfigException ? EXIT_USAGE : EXIT_FAILURE;
                })
                .setErr(err);
        return commandLine.execute(args);
    }

    private static String helpFor(CommandLine commandLine) {
        return commandLine.getParent() == null ? "" : commandLine.getCommandName() + " ";
    }
}
