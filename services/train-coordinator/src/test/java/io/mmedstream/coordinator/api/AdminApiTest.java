package io.mmedstream.coordinator.api;

import static io.mmedstream.coordinator.testing.TestShards.TOKENIZER_A;
import static io.mmedstream.coordinator.testing.TestShards.TOKENIZER_B;
import static io.mmedstream.coordinator.testing.TestShards.announcement;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.mmedstream.coordinator.testing.CoordinatorTopics;
import io.mmedstream.coordinator.testing.CoordinatorTopicsResource;
import io.mmedstream.proto.TrainingRoundChanged;
import io.mmedstream.proto.TrainingRoundState;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * The admin API of the running service (local dispatcher, a fake trainer that trains until it is stopped), against
 * the real embedded broker. Rounds are only made on request here: the token threshold is out of reach.
 */
@QuarkusTest
@WithTestResource(value = CoordinatorTopicsResource.class, initArgs = @ResourceArg(name = "trainer", value = "HANG"))
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminApiTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static CoordinatorTopics topics() {
        return CoordinatorTopicsResource.topics();
    }

    @Test
    @Order(1)
    void theServiceIsReadyOnceItHasRebuiltItsState() {
        await().atMost(TIMEOUT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("checks.data.state", hasItem("RUNNING")));
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    @Order(2)
    void askingForARoundWithAnEmptyPoolIsAConflict() {
        given().post("/rounds").then().statusCode(409).contentType(ContentType.JSON)
                .body("reason", equalTo("nothing_to_train")).body("message", containsString("pool is empty"));
        given().get("/rounds").then().statusCode(200).body("$", hasSize(0));
    }

    @Test
    @Order(3)
    void anUnknownRoundIsNotFound() {
        given().get("/rounds/round-999999").then().statusCode(404).body("reason", equalTo("round_not_found"));
        given().post("/rounds/round-999999/cancel").then().statusCode(404);
    }

    @Test
    @Order(4)
    void aRoundIsPlannedOnRequestFollowedAndCancelled() {
        topics().send(topics().shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 800,
                Map.of("en", 500L, "zh", 300L), 64));
        topics().send(topics().shards, 1, "other", announcement("other", "file:///shards/other.json", TOKENIZER_B,
                900, Map.of("en", 900L), 64));
        await().atMost(TIMEOUT).untilAsserted(() -> given().get("/pool").then().statusCode(200)
                .body("waiting.shard_id", equalTo(List.of("s1")))
                .body("waiting_tokens", equalTo(800))
                .body("aside.shard_id", equalTo(List.of("other")))
                .body("aside.reason", equalTo(List.of("tokenizer_mismatch"))));

        JsonPath created = given().post("/rounds").then().statusCode(201)
                .header("Location", containsString("/rounds/round-000001")).extract().jsonPath();
        assertThat(created.getString("round_id")).isEqualTo("round-000001");
        assertThat(created.getString("state")).isEqualTo("PLANNED");
        assertThat(created.getString("trigger")).isEqualTo("manual");
        assertThat(created.getList("shards.shard_id")).containsExactly("s1");
        assertThat(created.getMap("language_weights")).containsOnlyKeys("en", "zh");
        assertThat(created.getString("dispatcher")).isEqualTo("local");

        await().atMost(TIMEOUT).untilAsserted(() -> given().get("/rounds").then().statusCode(200)
                .body("[0].round_id", equalTo("round-000001")).body("[0].state", equalTo("RUNNING"))
                .body("[0].attempt", equalTo(1)));
        given().get("/rounds/round-000001").then().statusCode(200).body("shards", hasSize(1))
                .body("execution", containsString("round-000001"));
        // while the first round runs, its tokenizer is the lineage's: the other shard stays aside
        given().get("/pool").then().statusCode(200).body("waiting", hasSize(0))
                .body("aside.shard_id", equalTo(List.of("other")));
        given().post("/rounds").then().statusCode(409).body("message", containsString("still RUNNING"));

        given().post("/rounds/round-000001/cancel").then().statusCode(200).body("state", equalTo("CANCELLED"));
        given().post("/rounds/round-000001/cancel").then().statusCode(409).body("reason", equalTo("round_ended"));
        given().get("/pool").then().statusCode(200).body("waiting.shard_id", equalTo(List.of("s1")))
                .body("aside.shard_id", equalTo(List.of("other")));

        // every state it went through is on the rounds topic
        List<TrainingRoundState> states = topics().readAll(topics().rounds, TrainingRoundChanged.class).stream()
                .map(r -> r.value().getState()).toList();
        assertThat(states).containsSubsequence(TrainingRoundState.PLANNED, TrainingRoundState.DISPATCHED,
                TrainingRoundState.RUNNING, TrainingRoundState.CANCELLED);
    }

    @Test
    @Order(5)
    void metricsShowThePoolAndTheRounds() {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics).contains("mmed_pool_shards 1.0").contains("mmed_pool_tokens 800.0")
                    .contains("mmed_records_in_total{service=\"train-coordinator\"} 2.0")
                    .contains("mmed_rounds_ended_total{state=\"CANCELLED\"} 1.0");
        });
    }
}
