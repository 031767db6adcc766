package dev.udsgate.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.udsgate.config.FieldError;
import dev.udsgate.reload.ReloadSummary;
import dev.udsgate.socket.ListenerState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every kind of event the code can publish is described by the contract, with each of its fields. */
class OccurrenceContractTest {

    @Test
    void everyKindOfEventIsInTheContractWithItsFields() throws Exception {
        JsonNode event = new ObjectMapper(new YAMLFactory())
                .readTree(Path.of("openapi/udsgate.yaml").toFile())
                .at("/components/schemas/Event");
        String table = event.get("description").asText();
        String types = event.at("/properties/type/description").asText();

        for (Occurrence sample : oneOfEachKind()) {
            String type = sample.type();
            assertThat(types).as("the type field's list").contains("`" + type + "`");
            String row = table.lines()
                    .filter(line -> line.startsWith("|") && line.contains("`" + type + "`"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no row in the Event table for " + type));
            for (String field : sample.data().keySet()) {
                assertThat(row).as("the row of " + type).contains("`" + field + "`");
            }
        }
    }

    @Test
    void theSamplesCoverEveryKind() {
        Set<Class<?>> sampled = oneOfEachKind().stream().map(Object::getClass).collect(Collectors.toSet());
        assertThat(sampled).containsExactlyInAnyOrder(Occurrence.class.getPermittedSubclasses());
    }

    private static List<Occurrence> oneOfEachKind() {
        List<Occurrence> samples = new ArrayList<>();
        Arrays.stream(ListenerState.values())
                .forEach(state -> samples.add(new Occurrence.ListenerEntered("main", state.label(), "/run/u.sock")));
        samples.add(new Occurrence.ConnectionOpened("main", "1", "root", null, "/run/u.sock"));
        samples.add(new Occurrence.ConnectionClosed("main", "1", "root", "client", 3, 1, 80, 120));
        samples.add(new Occurrence.ConnectionKilled("main", "1", "root", "2", "root"));
        samples.add(new Occurrence.ConnectionRefused("main", "nobody", "userLimit", 2));
        samples.add(new Occurrence.ServerStopping(5000));
        samples.add(new Occurrence.EventsDropped(7));
        samples.add(new Occurrence.RouteChanged("billing", "\"e1\"", true));
        samples.add(new Occurrence.RouteChanged("billing", "\"e2\"", false));
        samples.add(new Occurrence.RouteRemoved("billing"));
        samples.add(new Occurrence.ListenerPermissionsChanged("main", "/run/u.sock", "0660", "docker", "root"));
        samples.add(new Occurrence.ConfigReloaded(
                new ReloadSummary(
                        new ReloadSummary.ListenerChanges(List.of("shared"), List.of(), List.of("main"), List.of()),
                        new ReloadSummary.RouteChanges(List.of("billing"), List.of(), List.of()),
                        List.of("idleTimeout"),
                        List.of()),
                "root"));
        samples.add(new Occurrence.ConfigReloadRefused(List.of(new FieldError("routes[0].name", "is missing")), null));
        samples.add(new Occurrence.UpstreamHealthChanged("billing", "unix:/run/b.sock", "200", true));
        samples.add(new Occurrence.UpstreamHealthChanged("billing", "unix:/run/b.sock", "refused", false));
        samples.add(new Occurrence.AccessDenied("docker", "3", "nobody", "GET", "/containers/x/archive", 1, "enforce"));
        samples.add(new Occurrence.AdminWrite("main", "1", "root", "PUT", "/v1/routes/billing"));
        return samples;
    }
}
