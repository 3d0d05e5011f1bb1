package io.mmedstream.local.demo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The question the demo asks the promoted model through inference's {@code Answer}: a short clinical
 * multiple-choice question in MMedBench's shape (question, options A-D, language), written for this project.
 */
public final class DemoQuestion {

    public static final String LANGUAGE = "English";
    public static final String QUESTION = "A 58-year-old man has had fever, a productive cough and shortness of breath"
            + " for three days. A chest X-ray shows consolidation of the right lower lobe. What is the most likely"
            + " diagnosis?";
    public static final Map<String, String> OPTIONS = options();

    private DemoQuestion() {
    }

    private static Map<String, String> options() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("A", "Community-acquired pneumonia");
        o.put("B", "Pulmonary embolism");
        o.put("C", "Spontaneous pneumothorax");
        o.put("D", "Acute asthma");
        return java.util.Collections.unmodifiableMap(o);
    }
}
