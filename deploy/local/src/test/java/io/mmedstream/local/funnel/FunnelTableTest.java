package io.mmedstream.local.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class FunnelTableTest {

    private final FunnelCounts counts = new FunnelCounts(1412, 1405, Map.of("too_large", 1L, "malformed_json", 6L), 900,
            Map.of("not_medical", 480L, "language_unsupported", 25L), 7, 900, 123456,
            Map.of("fr", 1000L, "en", 120000L, "xx", 6L, "zh", 2450L), Map.of("en", 600L, "zh", 200L, "fr", 100L));

    @Test
    void showsEachStageWithReasonsMostFrequentFirst() {
        List<String> rows = FunnelTable.rows(counts);

        assertThat(rows.get(0)).startsWith("submitted").endsWith("1,412");
        assertThat(rows.get(1)).contains("rejected by ingest").endsWith("7");
        assertThat(rows.get(2)).contains("malformed_json").endsWith("6");
        assertThat(rows.get(3)).contains("too_large").endsWith("1");
        assertThat(rows.get(4)).contains("ingested").endsWith("1,405");
        assertThat(rows.get(5)).contains("dropped by filter").endsWith("505");
        assertThat(rows.get(6)).contains("not_medical");
        assertThat(rows.get(7)).contains("language_unsupported");
        assertThat(rows.get(8)).contains("accepted").endsWith("900");
        assertThat(rows.get(9)).contains("in shards").endsWith("900");
        assertThat(rows.get(10)).contains("shards written").endsWith("7");
        assertThat(rows.get(11)).contains("tokens").endsWith("123,456");
    }

    @Test
    void listsTokensPerLanguageInTheProjectsOrder() {
        List<String> rows = FunnelTable.rows(counts);
        List<String> langRows = rows.subList(12, rows.size());

        assertThat(langRows).hasSize(4);
        assertThat(langRows.get(0)).startsWith("  en").contains("120,000").endsWith("600 docs");
        assertThat(langRows.get(1)).startsWith("  zh");
        assertThat(langRows.get(2)).startsWith("  fr");
        assertThat(langRows.get(3)).startsWith("  xx").endsWith("0 docs");
    }

    @Test
    void numbersLineUp() {
        List<String> rows = FunnelTable.rows(counts).subList(0, 12);

        assertThat(rows).extracting(String::length).containsOnly(rows.get(0).length());
    }

    @Test
    void oneLineFormNamesEveryStage() {
        assertThat(FunnelTable.line(counts)).isEqualTo(
                "submitted 1,412 | rejected 7 | ingested 1,405 | dropped 505 | accepted 900 | in shards 900 (7 shards)");
    }
}
