package dev.udsgate.cli;

import dev.udsgate.system.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top of the command tree: {@code udsgate [--help | --version] COMMAND}. */
@Command(
        name = "udsgate",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        versionProvider = UdsgateCommand.Version.class,
        description = "HTTP over a Unix domain socket: a JSON API about the socket itself, and a local gateway.",
        subcommands = CommandLine.HelpCommand.class)
final class UdsgateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed, such as 'serve'");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            BuildInfo build = BuildInfo.current();
            return new String[] {
                "udsgate " + build.version() + " (API " + build.apiVersion() + ", Java "
                        + System.getProperty("java.version") + ")"
            };
        }
    }
}
