package io.mmedstream.eval.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmedstream.eval.benchmark.Language;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class AccuracyChartTest {

    @Test
    void drawsOneLinePerLanguageAndTheMeanAcrossCheckpoints() throws Exception {
        List<CheckpointAccuracy> history = List.of(
                new CheckpointAccuracy("ckpt-1", Map.of(Language.ENGLISH, 40.0, Language.FRENCH, 20.0), 30.0),
                new CheckpointAccuracy("ckpt-2 <&>", Map.of(Language.ENGLISH, 60.0), 60.0),
                new CheckpointAccuracy("ckpt-3", Map.of(Language.ENGLISH, 100.0, Language.FRENCH, 50.0), 75.0));

        Document svg = parse(AccuracyChart.svg(history));

        Element english = series(svg, "English");
        assertThat(english).isNotNull();
        assertThat(english.getElementsByTagName("circle").getLength()).isEqualTo(3);
        // x: 60 + 20 + i * (550 - 40) / 2; y: 44 + 306 * (1 - accuracy / 100)
        assertThat(path(english)).isEqualTo("M80.0 227.6 L335.0 166.4 L590.0 44.0");
        // French is missing at ckpt-2: its line breaks there.
        assertThat(path(series(svg, "French"))).isEqualTo("M80.0 288.8 M590.0 197.0");
        assertThat(series(svg, "Mean").getElementsByTagName("path").item(0).getAttributes()
                .getNamedItem("stroke-dasharray")).isNotNull();
        assertThat(series(svg, "Japanese")).isNull();
        assertThat(AccuracyChart.svg(history)).contains("ckpt-2 &lt;&amp;&gt;").contains("English @ ckpt-3: 100.00%");
    }

    @Test
    void anEmptyHistoryIsStillAValidChart() throws Exception {
        Document svg = parse(AccuracyChart.svg(List.of()));
        assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(AccuracyChart.svg(List.of())).contains("no checkpoint evaluated yet");
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static Element series(Document svg, String name) {
        NodeList groups = svg.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (name.equals(g.getAttribute("data-series"))) {
                return g;
            }
        }
        return null;
    }

    private static String path(Element series) {
        return ((Element) series.getElementsByTagName("path").item(0)).getAttribute("d");
    }
}
