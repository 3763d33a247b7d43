package io.ipdrsp.tools;

import static io.ipdrsp.tools.IpdrRun.ipdr;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What every {@code ipdr} command shares: --version, --help, suggestions for typos, usage errors, exit status. */
class MainTest {
    @Test
    void versionIsTheBuildsVersion() {
        IpdrRun r = ipdr("--version");
        assertThat(r.status()).isZero();
        assertThat(r.out().trim()).matches("ipdr \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void aTypoInACommandSuggestsTheCommand() {
        IpdrRun r = ipdr("nod");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("ipdr: unknown command 'nod'").contains("did you mean 'ipdr node'")
                .contains("Run 'ipdr --help'");
        assertThat(ipdr("audt", "--from", "now").err()).contains("did you mean 'ipdr audit'");
    }

    @Test
    void aTypoInAnOptionSuggestsTheOptionAndNamesTheCommand() {
        IpdrRun r = ipdr("demo", "--duratoin", "60s");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("ipdr demo: unknown option --duratoin").contains("did you mean --duration?")
                .contains("Run 'ipdr demo --help' for the options.");
        IpdrRun bogus = ipdr("audit", "--bogus");
        assertThat(bogus.status()).isEqualTo(2);
        assertThat(bogus.err()).startsWith("ipdr audit: unknown option --bogus").doesNotContain("needs a value");
    }

    @Test
    void usageErrorsAreOneLineNamingTheCommandAndStatusTwo() {
        assertThat(ipdr("demo", "--duration").err()).startsWith("ipdr demo: missing required parameter for option "
                + "'--duration'");
        IpdrRun tooShort = ipdr("demo", "--duration", "5s");
        assertThat(tooShort.status()).isEqualTo(2);
        assertThat(tooShort.err()).startsWith("ipdr demo: --duration must be between 15s and 1h");
        IpdrRun notADuration = ipdr("demo", "--duration", "soon");
        assertThat(notADuration.status()).isEqualTo(2);
        assertThat(notADuration.err()).contains("'soon': use 500ms, 45s, 2m, 1h or seconds");
        assertThat(ipdr("audit", "--format", "xml").err()).startsWith("ipdr audit: --format must be table, json or "
                + "csv");
        IpdrRun missing = ipdr("export", "--exporter", "x", "-o", "f");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).startsWith("ipdr export: missing required options");
    }

    @Test
    void helpOfTheToolAndOfACommand() {
        IpdrRun alone = ipdr();
        assertThat(alone.status()).isEqualTo(2);
        assertThat(alone.err()).contains("usage: ipdr COMMAND").contains("demo").contains("node");
        IpdrRun help = ipdr("help", "audit");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("usage: ipdr audit --from T --to T").contains("--document");
        IpdrRun demoHelp = ipdr("demo", "--help");
        assertThat(demoHelp.status()).isZero();
        assertThat(demoHelp.out()).contains("--duration=D").contains("kills the primary node with SIGKILL");
    }

    @Test
    void passThroughCommandsKeepTheirOwnOptions() {
        IpdrRun r = ipdr("simulate", "--bogus", "1");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("ipdr simulate:");
    }
}
